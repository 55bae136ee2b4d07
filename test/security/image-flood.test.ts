/**
 * Parallel questions with images cannot take a direct deployment out of memory: under the issue's
 * image flood (loadtest/edge-bench/image-flood.ts, smaller), the app's RSS grows by no more than
 * INFLIGHT_BYTES_MAX and a generous overhead, and refuses what does not fit with 429. The bounds
 * are wide (the runtimes' allocators and the shared machine move RSS); the negative control runs
 * the same flood with the budget off, and the same bound then fails.
 */
import { afterAll, expect, test } from "bun:test";
import { type Service, startSimulatorService } from "../../harness/stack/services.ts";
import { runtime } from "../../harness/stack/spawn.ts";
import { measureImageFlood } from "../../loadtest/edge-bench/image-flood.ts";
import { ALICE, BOB, startTarget, type TargetApp } from "./setup.ts";

const MiB = 1024 * 1024;
const BUDGET = 128 * MiB;
// What the process holds beyond the budget at its peak: code, buffers the collector has not yet
// returned, the simulator's answers. Generous, so that only an unbounded flood crosses it.
const OVERHEAD = 128 * MiB;
// Questions at once: four per user, each with 4 new images of 5 MiB and 8 stored ones sent again.
const PARALLEL = 4;

const started: TargetApp[] = [];
let simulator: Service | undefined;
afterAll(async () => {
  await Promise.all(started.map((app) => app.stop()));
  await simulator?.process.stop();
});

async function flood(defencesOff: string[]) {
  // The model on its own process, so that the app's memory is its own (the embedded one would
  // parse every request body in the app).
  simulator ??= await startSimulatorService({ runtime, env: { ...process.env, SIM_TTFT_MS: "0" } });
  const app = await startTarget(
    { INFLIGHT_BYTES_MAX: String(BUDGET), UPSTREAM_BASE_URL: `${simulator.url}/v1`, MODEL: "demo" },
    { defencesOff },
  );
  started.push(app);
  const target = { url: app.url, pid: app.process.pid, tokens: [ALICE, BOB] };
  const figures = await measureImageFlood(target, PARALLEL, 1);
  return { growth: figures.peakRssBytes - figures.idleRssBytes, statuses: figures.statuses };
}

test("an image flood against INFLIGHT_BYTES_MAX grows RSS by at most the budget and an overhead; the rest gets 429", async () => {
  const { growth, statuses } = await flood([]);
  expect(growth).toBeLessThan(BUDGET + OVERHEAD);
  expect(statuses["202"]).toBeGreaterThan(0);
  expect(statuses["429 server_busy_uploads"]).toBeGreaterThan(0);
}, 300_000);

test("negative control: with the budget off, the same flood is all accepted and grows RSS past that bound", async () => {
  const { growth, statuses } = await flood(["inflightBytes"]);
  expect(statuses).toEqual({ "202": 2 * PARALLEL });
  expect(growth).toBeGreaterThan(BUDGET + OVERHEAD);
}, 300_000);
