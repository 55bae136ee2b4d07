/**
 * No client causes a 5xx or a dropped connection: random methods, paths, query strings of any
 * Unicode (and bytes that are no UTF-8), bodies and headers, sent as exact bytes, each get a
 * deliberate status below 500. What a runtime's own parser breaks the connection on before any
 * handler runs is left out where it does so, and refused by nginx in front
 * (test/cluster/any-request-behind-nginx.test.ts): on Bun, made-up methods
 * (test/security/methods.test.ts); on Deno, raw bytes beyond ASCII in the request target when a
 * body follows. FUZZ_SEED and FUZZ_COUNT reproduce a run.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { runtime } from "../../harness/stack/spawn.ts";
import { faultsOf, randomRequests } from "./random-requests.ts";
import { ALICE, startTarget, type TargetApp } from "./setup.ts";

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const COUNT = Number(process.env.FUZZ_COUNT ?? 400);

let app: TargetApp;
beforeAll(async () => {
  app = await startTarget({ SIM_TTFT_MS: "0", SIM_TOKENS_PER_SECOND: "1000", BODY_TIMEOUT_MS: "2000" });
});
afterAll(() => app?.stop());

test(`${COUNT} random requests (seed ${SEED}): each answered, none with a 5xx`, async () => {
  const faults = await faultsOf(
    app.port,
    randomRequests(SEED, COUNT, {
      unknownMethods: runtime === "deno",
      rawTargetBytes: runtime === "bun",
      token: ALICE,
    }),
  );
  expect(faults).toEqual([]);
  // And the app still serves afterwards.
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
}, 120_000);

test("negative control: the same check sees the fault a missing defence lets through", async () => {
  // Deno refuses to build a Request with CONNECT: without the method check, that is a 500. Bun
  // drops a made-up method before the app runs: only nginx in front can answer it.
  const open = await startTarget({}, { defencesOff: ["methods"] });
  try {
    const head = (method: string, target: string) =>
      Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${open.port}\r\nConnection: close\r\n\r\n`);
    const request =
      runtime === "deno"
        ? { summary: "CONNECT", bytes: head("CONNECT", `127.0.0.1:${open.port}`) }
        : { summary: "FOO", bytes: head("FOO", "/") };
    expect(await faultsOf(open.port, [request])).toEqual([`${request.summary}: ${runtime === "deno" ? 500 : 0}`]);
  } finally {
    await open.stop();
  }
});
