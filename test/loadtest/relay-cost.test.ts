/**
 * The relay must not cost more CPU per token than the seed's server ported to Elysia + openai
 * (loadtest/peers/), side by side in a short run: a generous bound (the bench's ratio is well
 * below it, loadtest/results/), so that a change which doubles the relay's cost fails here.
 * The negative control: the peer made costlier per chunk is caught by the same check.
 */
import { expect, test } from "bun:test";
import { costRatio } from "../../loadtest/relay-bench/cost-check.ts";

// Short, but long enough per stream that the per-token cost, not the per-request one, is weighed.
const SHAPE = { streams: 100, tokens: 200, tps: 100, ttftMs: 50 };

test("the relay costs no more CPU per token than the bare port of the seed", async () => {
  const { ratio, perRound, errors } = await costRatio({ name: "sluice" }, { name: "peer" }, SHAPE, 3);
  console.log(
    `relay ÷ peer, CPU per token: ${perRound.map((r) => r.toFixed(2)).join(", ")} (median ${ratio.toFixed(2)})`,
  );
  expect(errors).toBe(0);
  expect(ratio).toBeLessThanOrEqual(1);
});

test("negative control: a peer that burns 40 µs more per chunk fails the same check", async () => {
  const heavier = { name: "peer" as const, options: { peerEnv: { PEER_EXTRA_WORK_US: "40" } } };
  const { ratio, errors } = await costRatio(heavier, { name: "peer" }, SHAPE, 1);
  console.log(`heavier peer ÷ peer, CPU per token: ${ratio.toFixed(2)}`);
  expect(errors).toBe(0);
  expect(ratio).toBeGreaterThan(1);
});

test("the floor the targets are read against relays every token, for less than the peer", async () => {
  const { ratio, errors } = await costRatio({ name: "floor" }, { name: "peer" }, SHAPE, 1);
  console.log(`floor ÷ peer, CPU per token: ${ratio.toFixed(2)}`);
  expect(errors).toBe(0);
  expect(ratio).toBeLessThan(1);
});

test("the floor on Deno relays every token too: what Deno itself costs is read against it", async () => {
  const { ratio, errors } = await costRatio({ name: "floor-deno" }, { name: "floor" }, SHAPE, 1);
  console.log(`floor on Deno ÷ on Bun, CPU per token: ${ratio.toFixed(2)}`);
  expect(errors).toBe(0);
  expect(Number.isFinite(ratio) && ratio > 0).toBe(true);
});
