/**
 * The young-garbage pace in the running app (src/young-garbage.ts): on Bun, eden collections
 * run while at least 32 answers stream, and none below that; Deno has no such call, and its
 * count stays at 0. The count is read from the metrics, so the test fails if the pace is not
 * wired to the registry's answers.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startChat } from "../../harness/client/chat.ts";
import { metricValue } from "../../harness/client/metrics.ts";
import { eventually } from "../../harness/client/poll.ts";
import { readStream } from "../../harness/client/stream.ts";
import { LIFTED_USER_LIMITS } from "../../harness/stack/services.ts";
import { internalUrl, runtime } from "../../harness/stack/spawn.ts";
import { startTopology, type Topology } from "../../harness/stack/topology.ts";

let stack: Topology;
beforeAll(async () => {
  stack = await startTopology({ ...LIFTED_USER_LIMITS });
});
afterAll(() => stack?.stop());

const collections = () => metricValue(internalUrl(stack.app), "sluice_young_collections");
// About 2.5 s of answer each: several paces of 250 ms.
const SLOW = "/sim tps=20 tokens=50\nkeep talking";

async function streamAnswers(count: number): Promise<Promise<unknown>[]> {
  const urls = await Promise.all(Array.from({ length: count }, () => startChat(stack.app.url, SLOW)));
  return urls.map(({ url }) => readStream(url, { timeoutMs: 20_000 }));
}

test("negative control: eight answers streaming set no pace", async () => {
  const reads = await streamAnswers(8);
  await Promise.all(reads);
  expect(await collections()).toBe(0);
});

test("forty answers streaming set the pace on Bun (Deno has nothing to call)", async () => {
  const reads = await streamAnswers(40);
  if (runtime === "bun") expect(await eventually(async () => (await collections()) > 0, 10_000)).toBe(true);
  await Promise.all(reads);
  if (runtime === "deno") expect(await collections()).toBe(0);
  const after = await collections();
  // Every answer ended: the pace stops within one more tick.
  await Bun.sleep(1_000);
  expect(await collections()).toBeLessThanOrEqual(after + 1);
});
