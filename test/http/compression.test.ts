/**
 * The app compresses large JSON itself (gzip, when the client accepts it), so a deployment without
 * nginx in front does not send a long conversation raw; small JSON and event streams go as they
 * are. Read over a real socket with node:http, which shows the bytes as sent (fetch would undo the
 * gzip and hide whether it was there).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { request } from "node:http";
import { gunzipSync } from "node:zlib";
import { callJson } from "../../harness/client/api.ts";
import { answerStored, createConversation, turnIn } from "../../harness/client/conversations.ts";
import { type Started, startApp } from "../../harness/stack/spawn.ts";
import { acceptsGzip, COMPRESS_MIN_BYTES } from "../../src/http/compression.ts";

let app: Started;
let conversationId = "";

/** A GET with `headers`, read raw: status, headers and body bytes as they came off the socket. */
function rawGet(path: string, headers: Record<string, string>, firstBytesOnly = false) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
    const call = request(`${app.url}${path}`, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        // An event stream never ends by itself: its first bytes say enough.
        if (firstBytesOnly) response.destroy();
      });
      const done = () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) });
      response.on("end", done);
      response.on("close", done);
    });
    call.on("error", reject);
    call.setTimeout(15_000, () => call.destroy(new Error("timed out")));
    call.end();
  });
}

beforeAll(async () => {
  app = await startApp({ SIM_TTFT_MS: "0", SIM_TOKENS_PER_SECOND: "1000" });
  conversationId = await createConversation(app.url);
  // A long question: the conversation's JSON is then well over the threshold.
  const question = `/sim tokens=3\n${Array.from({ length: 4_000 }, (_, i) => `line ${i} of a pasted log`).join("\n")}`;
  expect((await turnIn(app.url, conversationId, { content: question, parentId: null })).status).toBe(202);
  await answerStored(app.url, conversationId);
}, 60_000);

afterAll(() => app?.stop());

test("a large JSON response is gzip-compressed for a client that accepts it, and decodes to the same JSON", async () => {
  const path = `/api/conversations/${conversationId}`;
  const plain = await rawGet(path, {});
  const compressed = await rawGet(path, { "accept-encoding": "gzip, deflate, br" });
  expect(plain.status).toBe(200);
  expect(plain.body.length).toBeGreaterThan(COMPRESS_MIN_BYTES * 4);
  // Without Accept-Encoding: as it is (the negative control of the checks below).
  expect(plain.headers["content-encoding"]).toBeUndefined();
  expect(compressed.status).toBe(200);
  expect(compressed.headers["content-encoding"]).toBe("gzip");
  expect(String(compressed.headers.vary)).toContain("accept-encoding");
  expect(compressed.headers["content-type"]).toStartWith("application/json");
  expect(compressed.body.length).toBeLessThan(plain.body.length / 4);
  expect(JSON.parse(gunzipSync(compressed.body).toString("utf8"))).toEqual(JSON.parse(plain.body.toString("utf8")));
});

test("gzip refused by the client (q=0), a small JSON response, and an event stream go uncompressed", async () => {
  const refused = await rawGet(`/api/conversations/${conversationId}`, { "accept-encoding": "gzip;q=0, br" });
  expect(refused.headers["content-encoding"]).toBeUndefined();
  const small = await rawGet("/api/chat-settings", { "accept-encoding": "gzip" });
  expect(small.status).toBe(200);
  expect(small.headers["content-encoding"]).toBeUndefined();
  // Left as it was, with its length: on Deno, only looking at a response's body made it chunked.
  for (const accept of [{}, { "accept-encoding": "gzip" }] as Record<string, string>[]) {
    const plain = await rawGet("/api/chat-settings", accept);
    expect(plain.headers["content-length"]).toBe(String(plain.body.length));
    expect(plain.headers["transfer-encoding"]).toBeUndefined();
  }
  // A generation's stream, asked for with gzip accepted: never compressed.
  const { json: started } = await callJson(app.url, "POST", "/api/chat", {
    messages: [{ role: "user", content: "/sim tokens=400 tps=50\nstream me" }],
  });
  const stream = await rawGet(started.streamUrl, { "accept-encoding": "gzip", accept: "text/event-stream" }, true);
  expect(stream.headers["content-type"]).toStartWith("text/event-stream");
  expect(stream.headers["content-encoding"]).toBeUndefined();
  await callJson(app.url, "DELETE", `/api/streams/${started.streamId}`);
});

test("Accept-Encoding is read as RFC 9110 says: gzip or *, with a weight above zero", () => {
  expect(acceptsGzip("gzip")).toBe(true);
  expect(acceptsGzip("br, GZIP;q=0.5")).toBe(true);
  expect(acceptsGzip("*")).toBe(true);
  expect(acceptsGzip("gzip;q=0")).toBe(false);
  expect(acceptsGzip("*;q=0.1, gzip;q=0")).toBe(false);
  expect(acceptsGzip("br, deflate")).toBe(false);
  expect(acceptsGzip(null)).toBe(false);
});
