import { afterAll, beforeAll, expect, test } from "bun:test";
import { startChat } from "../../harness/client/chat.ts";
import { readStream } from "../../harness/client/stream.ts";
import { startTopology, type Topology } from "../../harness/stack/topology.ts";

// The heartbeat is longer than Bun's default 10 s idle timeout, so only a server that switched
// that timer off keeps the connection through the first 11 s of silence.
let stack: Topology;
beforeAll(async () => {
  stack = await startTopology({ HEARTBEAT_MS: "11000" });
});
afterAll(() => stack?.stop());

test("a 12-second upstream silence does not cut the stream; the heartbeat arrives", async () => {
  const url = (await startChat(stack.app.url, "/sim tokens=4 fault=stall:2:12000\nthink hard")).url;
  const read = await readStream(url, { timeoutMs: 30_000 });
  expect(read.ended).toBe("eof");
  expect(read.events.filter((event) => event.event === "token")).toHaveLength(4);
  expect(read.events.at(-1)?.event).toBe("done");
  expect(read.comments).toContain("ping");
}, 40_000);
