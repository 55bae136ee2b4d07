/**
 * Through the shipped nginx in front of two instances: random methods (made-up ones included),
 * paths, query strings of any Unicode and raw bytes, bodies and headers each get a deliberate
 * status below 500 and no reset, and afterwards nginx still sends requests to both instances.
 * The negative control undoes the method list and the header check and counts failures again, and
 * sends what the runtime's own parser breaks the connection on (Bun: a made-up method; Deno: a
 * control character in a header value, with a body): then ordinary requests fail. FUZZ_SEED and FUZZ_COUNT reproduce a run.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { runtime } from "../../harness/stack/spawn.ts";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";
import { allMethods, anyHeaderValues, countFailures, startPatchedNginx } from "../e2e/patched-nginx.ts";
import { faultsOf, randomRequests } from "../security/random-requests.ts";
import { rawRequest } from "../security/raw-http.ts";
import { ALICE, BOB } from "./instances.ts";

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const COUNT = Number(process.env.FUZZ_COUNT ?? 400);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    instances: 2,
    redis: true,
    env: {
      AUTH: "token",
      AUTH_TOKENS: `alice:${ALICE},bob:${BOB}`,
      SIM_TTFT_MS: "0",
      SIM_TOKENS_PER_SECOND: "1000",
      BODY_TIMEOUT_MS: "2000",
    },
  });
}, 90_000);
afterAll(() => stack?.stop());

/** The statuses of 20 ordinary requests through `port`. */
async function ordinaryRequests(port: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let index = 0; index < 20; index++)
    statuses.push((await rawRequest(port, "/readyz").catch(() => ({ status: 0 }))).status);
  return statuses;
}

test(`${COUNT} random requests through nginx (seed ${SEED}): none 5xx or reset; both instances still serve`, async () => {
  const port = Number(new URL(stack.url).port);
  const faults = await faultsOf(
    port,
    randomRequests(SEED, COUNT, { unknownMethods: true, rawTargetBytes: true, token: ALICE }),
  );
  expect(faults).toEqual([]);
  expect(await ordinaryRequests(port)).toEqual(Array(20).fill(200));
  // least_conn with nothing open goes round the pool: both instances answered.
  const log = Bun.file(stack.accessLogPath);
  const served = new Set(
    (await log.text())
      .trim()
      .split("\n")
      .slice(-20)
      .map((line) => (JSON.parse(line) as { upstream_addr: string }).upstream_addr),
  );
  for (const app of stack.apps) expect(served).toContain(new URL(app.url).host);
}, 180_000);

test("negative control: every method proxied and failures counted, the runtime's breaking request takes the pool down", async () => {
  const nginx = await startPatchedNginx(
    stack.apps.map((app) => new URL(app.url).host),
    { proxy: (text) => anyHeaderValues(allMethods(text)), server: countFailures },
  );
  try {
    const breaking =
      runtime === "bun"
        ? Buffer.from("FOO / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        : Buffer.from(
            `GET /api/chat HTTP/1.1\r\nHost: localhost\r\nCookie: a=\x1fb\r\nConnection: close\r\nContent-Length: 2000000\r\n\r\n${"x".repeat(2_000_000)}`,
            "latin1",
          );
    for (let round = 0; round < 3; round++)
      await Promise.all(
        Array.from({ length: 12 }, () => rawRequest(nginx.port, "", { bytes: breaking }).catch(() => {})),
      );
    const after = await ordinaryRequests(nginx.port);
    expect(after.filter((status) => status === 502).length).toBeGreaterThan(0);
  } finally {
    await nginx.stop();
  }
}, 60_000);
