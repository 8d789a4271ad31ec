// The webhook handler on Phonic's documentation page (conversation.ended, "Example usage"), kept as it is there:
// Hono on @hono/node-server, a new svix Webhook per request whose verify (svix 1.x) parses and returns the
// payload, one log line, 200 "OK" once verified and 400 when not. With PEER_REDIS_URL set it is also the obvious
// durable version of it: one XADD of the svix id and the body before the 200, to a Redis that fsyncs every write.
//
// scripts/bench starts it (PORT, PHONIC_WEBHOOK_SECRET, PEER_REDIS_URL, PEER_REDIS_STREAM); it says "docs-handler
// ready" once it listens and exits when its standard input closes, so that the end of the benchmark, even by a
// crash, ends it.
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { Redis } from "ioredis";
import { Webhook } from "svix";

const stream = process.env.PEER_REDIS_STREAM;
const redis = process.env.PEER_REDIS_URL ? new Redis(process.env.PEER_REDIS_URL) : null;

const app = new Hono();

app.post("/webhooks/phonic", async (c) => {
  if (!process.env.PHONIC_WEBHOOK_SECRET) {
    return c.text("Bad Request", 400);
  }

  const wh = new Webhook(process.env.PHONIC_WEBHOOK_SECRET);
  const rawBody = await c.req.text();
  const svixId = c.req.header("svix-id") ?? "";

  try {
    const payload = wh.verify(rawBody, {
      "svix-id": svixId,
      "svix-timestamp": c.req.header("svix-timestamp") ?? "",
      "svix-signature": c.req.header("svix-signature") ?? "",
    });

    const conversation = payload.data.conversation;
    console.log(`Conversation ${conversation.id} ended`);
  } catch (error) {
    console.error("Failed to verify webhook:", error);

    return c.text("Bad Request", 400);
  }

  // Outside the try: a Redis failure is a 500 from Hono, not a "failed to verify"; either way Svix retries.
  if (redis) {
    await redis.xadd(stream, "*", "svix_id", svixId, "body", rawBody);
  }

  return c.text("OK", 200);
});

const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: Number(process.env.PORT) }, () => {
  console.log("docs-handler ready");
});

process.stdin.resume();
process.stdin.on("end", () => {
  server.close();
  redis?.disconnect();
  process.exit(0);
});
