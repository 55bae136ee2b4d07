import { afterAll, beforeAll, expect, test } from "bun:test";
import { startChat } from "../../harness/client/chat.ts";
import { eventually } from "../../harness/client/poll.ts";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { readStream } from "../../harness/client/stream.ts";
import { type Started, startApp, startSimulator } from "../../harness/stack/spawn.ts";

let simulator: Started;
beforeAll(async () => {
  simulator = await startSimulator();
});
afterAll(() => simulator?.stop());

test("SIGTERM drains: /readyz turns 503, new chats get 503, running ones end with server_shutdown", async () => {
  const app = await startApp({ UPSTREAM_BASE_URL: `${simulator.url}/v1`, MODEL: "demo", DRAIN_TIMEOUT_MS: "800" });
  try {
    const before = (await fetchSimStats(simulator.url)).cancelled;
    const url = (await startChat(app.url, "/sim tps=10 tokens=500\nlong answer")).url;
    const watching = readStream(url, { timeoutMs: 10_000 });
    await Bun.sleep(300);
    app.process.kill("SIGTERM");
    expect(await eventually(async () => (await fetch(`${app.url}/readyz`)).status === 503, 2_000)).toBe(true);
    const refused = await fetch(`${app.url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "too late" }] }),
    });
    expect(refused.status).toBe(503);
    expect((await refused.json()).error.code).toBe("draining");
    const read = await watching;
    // Not "cancelled" (the user's own Stop): a retryable error, so the chat offers Retry.
    expect(read.events.at(-1)?.event).toBe("error");
    expect(JSON.parse(read.events.at(-1)?.data ?? "{}")).toMatchObject({ code: "server_shutdown", retryable: true });
    expect(await Promise.race([app.process.exited, Bun.sleep(5_000).then(() => "still running")])).toBe(0);
    expect((await fetchSimStats(simulator.url)).cancelled).toBe(before + 1);
  } finally {
    await app.stop();
  }
});
