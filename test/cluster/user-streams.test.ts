/**
 * One user's open streams are counted on every instance together (through Redis): streams held
 * on A count against a new one on B. The negative control counts per instance only (no shared
 * Redis): the same user then holds twice their share across two instances.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Started, startApp } from "../../harness/stack/spawn.ts";
import { ALICE, BOB, bearer, type Cluster, type Instance, startAnswer, startCluster } from "./instances.ts";

const LONG = "/sim tps=2 tokens=400\nslow";
const LIMIT = { LIMIT_USER_OPEN_STREAMS: "3", CANCEL_GRACE_MS: "60000" };

/** Opens a viewer of `streamId` on `instance` as `token`, left open; its status, its response (held) and a way to close it. */
async function openViewer(instance: Started, streamId: string, token = BOB) {
  const controller = new AbortController();
  const response = await fetch(`${instance.url}/api/streams/${streamId}`, {
    headers: bearer(token),
    signal: controller.signal,
  });
  const code =
    response.status === 200 ? undefined : ((await response.json()) as { error: { code: string } }).error.code;
  // The response is kept: a Response nothing refers to may be collected, and its connection closed
  // with it, which the server rightly counts as the viewer leaving.
  return { status: response.status, code, response, close: () => controller.abort() };
}

let cluster: Cluster;
let a: Instance;
let b: Instance;
beforeAll(async () => {
  cluster = await startCluster(LIMIT);
  [a, b] = await Promise.all([cluster.start("streams-a"), cluster.start("streams-b")]);
}, 60_000);
afterAll(() => cluster?.stop());

test("streams held on one instance count against a new one on the other; others are not affected", async () => {
  const streamId = await startAnswer(a, LONG, BOB);
  const held = [await openViewer(a, streamId), await openViewer(a, streamId), await openViewer(b, streamId)];
  expect(held.map((viewer) => viewer.status)).toEqual([200, 200, 200]);
  for (const instance of [a, b])
    expect(await openViewer(instance, streamId)).toMatchObject({ status: 429, code: "too_many_user_streams" });
  const alice = await openViewer(b, await startAnswer(b, LONG, ALICE), ALICE);
  expect(alice.status).toBe(200);
  // A stream closed on A frees a slot for B.
  held[0]?.close();
  await Bun.sleep(300);
  const again = await openViewer(b, streamId);
  expect(again.status).toBe(200);
  for (const viewer of [...held, alice, again]) viewer.close();
}, 30_000);

test("negative control: counted per instance alone, one user holds twice their share", async () => {
  const apart = await Promise.all([startApp({ ...instanceEnv(), ...LIMIT }), startApp({ ...instanceEnv(), ...LIMIT })]);
  try {
    const viewers = [];
    for (const instance of apart) {
      const streamId = await startAnswer(instance, LONG, BOB);
      for (let index = 0; index < 3; index++) viewers.push(await openViewer(instance, streamId));
    }
    expect(viewers.map((viewer) => viewer.status)).toEqual(Array(6).fill(200));
    for (const viewer of viewers) viewer.close();
  } finally {
    await Promise.all(apart.map((instance) => instance.stop()));
  }
}, 30_000);

/** An instance's settings without the shared Redis: alice and bob, their own limits. */
function instanceEnv(): Record<string, string> {
  return {
    HOST: "127.0.0.1",
    AUTH: "token",
    AUTH_TOKENS: `alice:${ALICE},bob:${BOB}`,
    LIMIT_USER_CONCURRENT: "100",
    LIMIT_USER_PER_MINUTE: "10000",
  };
}
