/**
 * Both ways to reach the model stream the same answer and stop the model's call on Stop: the
 * sockets read on the app's thread (the default) and the runtime's fetch (UPSTREAM_TRANSPORT=fetch,
 * and what a proxy in the environment selects).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startChat } from "../../harness/client/chat.ts";
import { eventually } from "../../harness/client/poll.ts";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { readStream } from "../../harness/client/stream.ts";
import { type Started, startApp, startSimulator } from "../../harness/stack/spawn.ts";
import { loadConfig } from "../../src/config.ts";
import { ConfigError } from "../../src/env-values.ts";

let simulator: Started;
beforeAll(async () => {
  simulator = await startSimulator();
});
afterAll(() => simulator?.stop());

for (const transport of ["socket", "fetch"] as const) {
  describe(`UPSTREAM_TRANSPORT=${transport}`, () => {
    let app: Started;
    beforeAll(async () => {
      app = await startApp({ UPSTREAM_BASE_URL: `${simulator.url}/v1`, MODEL: "sim", UPSTREAM_TRANSPORT: transport });
    });
    afterAll(() => app?.stop());

    test("an answer streams whole, token by token", async () => {
      const read = await readStream((await startChat(app.url, "/sim tokens=40 tps=400\nhello")).url, {
        timeoutMs: 10_000,
      });
      const tokens = read.events.filter((event) => event.event === "token");
      expect(tokens.length).toBe(40);
      expect(JSON.parse(read.events.at(-1)?.data ?? "{}")).toMatchObject({ finish_reason: "stop" });
    });

    test("Stop cancels the model's call", async () => {
      const before = (await fetchSimStats(simulator.url)).cancelled;
      const { url } = await startChat(app.url, "/sim tokens=400 tps=20\nslowly");
      await readStream(url, { closeWhen: (_, events) => events.length === 2, timeoutMs: 10_000 });
      expect((await fetch(url, { method: "DELETE" })).status).toBe(200);
      expect(await eventually(async () => (await fetchSimStats(simulator.url)).cancelled === before + 1, 3_000)).toBe(
        true,
      );
    });
  });
}

test("a proxy in the environment needs fetch: UPSTREAM_TRANSPORT=socket beside HTTPS_PROXY is refused", () => {
  expect(() => loadConfig({ HTTPS_PROXY: "http://proxy:3128", UPSTREAM_TRANSPORT: "socket" })).toThrow(ConfigError);
  expect(loadConfig({ HTTPS_PROXY: "http://proxy:3128" }).upstreamTransport).toBe("fetch");
  expect(loadConfig({}).upstreamTransport).toBe("socket");
});
