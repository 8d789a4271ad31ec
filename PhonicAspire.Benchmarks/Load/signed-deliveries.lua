-- wrk script: POSTs pre-signed deliveries, all with the same body, each with its own svix id, timestamp and
-- signature. Arguments after "--": the deliveries file (one "id timestamp signature" per line), the body file, and
-- "reuse" to go round the file again when it runs out (otherwise running out is reported), and wrk's thread count.
-- Each thread takes every Nth line, so no two threads send the same svix id.
local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_index", #threads)
end

function init(args)
   local body = io.open(args[2], "rb")
   wrk.body = body:read("*a")
   body:close()
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   reuse = args[3] == "reuse"
   local thread_count = tonumber(args[4])
   exhausted = 0
   ids, timestamps, signatures = {}, {}, {}
   local line_number = 0
   for line in io.lines(args[1]) do
      if line_number % thread_count == thread_index - 1 then
         local id, timestamp, signature = line:match("^(%S+) (%S+) (%S+)$")
         ids[#ids + 1], timestamps[#timestamps + 1], signatures[#signatures + 1] = id, timestamp, signature
      end
      line_number = line_number + 1
   end
   sent = 0
end

function request()
   sent = sent + 1
   if sent > #ids then
      exhausted = 1
      sent = 1
   end
   wrk.headers["svix-id"] = ids[sent]
   wrk.headers["svix-timestamp"] = timestamps[sent]
   wrk.headers["svix-signature"] = signatures[sent]
   return wrk.format()
end

function done(summary, latency, requests)
   for _, thread in ipairs(threads) do
      if thread:get("exhausted") == 1 and not thread:get("reuse") then
         io.write("signed deliveries exhausted\n")
      end
   end
end
