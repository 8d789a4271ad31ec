-- wrk script: POSTs pre-signed deliveries on a fixed schedule (open loop) instead of as fast as answers come back.
-- Arguments after "--": the deliveries file (one "svix-id timestamp signature conversation-id" per line), the body
-- template file (the body with the marker where the conversation id goes), the marker, the total rate per second,
-- and wrk's thread count. Each thread takes every Nth line and sends its share at rate / N, so no two threads send
-- the same svix id.
--
-- wrk asks delay() before each request on a connection; each call takes the thread's next slot on the schedule and
-- waits until it is due, or not at all when it is already past (a target that falls behind gets the backlog at
-- once, as independent senders would send it). wrk always runs for its whole --duration, so the script reports how
-- long the sending took and the most any send went out behind its schedule.
local ffi = require("ffi")
ffi.cdef [[
   typedef struct { long tv_sec; long tv_nsec; } paced_timespec;
   int clock_gettime(int clock_id, paced_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("paced_timespec")

local function now_ms()
   ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
   return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_index", #threads)
end

function init(args)
   local template = io.open(args[2], "rb"):read("*a")
   local marker_at = template:find(args[3], 1, true)
   body_prefix = template:sub(1, marker_at - 1)
   body_suffix = template:sub(marker_at + #args[3])
   local thread_count = tonumber(args[5])
   interval_ms = 1000 * thread_count / tonumber(args[4])
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   ids, timestamps, signatures, conversations = {}, {}, {}, {}
   local line_number = 0
   for line in io.lines(args[1]) do
      if line_number % thread_count == thread_index - 1 then
         local id, timestamp, signature, conversation = line:match("^(%S+) (%S+) (%S+) (%S+)$")
         local n = #ids + 1
         ids[n], timestamps[n], signatures[n], conversations[n] = id, timestamp, signature, conversation
      end
      line_number = line_number + 1
   end
   slots, sent, lag_ms, started_ms, last_sent_ms = 0, 0, 0, 0, 0
end

function delay()
   if slots >= #ids then
      -- Every delivery has its slot; this connection only waits for wrk's duration to end.
      return 60000
   end
   if slots == 0 then
      started_ms = now_ms()
   end
   local wait = started_ms + slots * interval_ms - now_ms()
   slots = slots + 1
   if wait <= 0 then
      lag_ms = math.max(lag_ms, -wait)
      return 0
   end
   return math.floor(wait)
end

local function format(index)
   wrk.headers["svix-id"] = ids[index]
   wrk.headers["svix-timestamp"] = timestamps[index]
   wrk.headers["svix-signature"] = signatures[index]
   return wrk.format(nil, nil, nil, body_prefix .. conversations[index] .. body_suffix)
end

function request()
   if slots == 0 then
      -- wrk asks the first thread for one request before the run, only to check it; that one is never sent.
      return format(1)
   end
   sent = sent + 1
   last_sent_ms = now_ms()
   return format(sent)
end

function done(summary, latency, requests)
   local first, last, sent, lag = math.huge, 0, 0, 0
   for _, thread in ipairs(threads) do
      first = math.min(first, thread:get("started_ms"))
      last = math.max(last, thread:get("last_sent_ms"))
      sent = sent + thread:get("sent")
      lag = math.max(lag, thread:get("lag_ms"))
   end
   io.write(string.format("paced deliveries: %d sent over %.1f ms, at most %.1f ms behind schedule\n", sent, last - first, lag))
end
