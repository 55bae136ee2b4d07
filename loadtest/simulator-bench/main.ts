/**
 * How cheap the simulator is: opens STREAMS concurrent streams against a standalone simulator
 * (OpenAI format, bodies read to `[DONE]`) and prints the simulator's CPU time per token and its
 * peak RSS. Not a test; run it by hand:
 *
 *   bun loadtest/simulator-bench/main.ts                       # simulator on Bun
 *   SLUICE_RUNTIME=deno bun loadtest/simulator-bench/main.ts   # simulator on Deno
 *
 * Settings (env): STREAMS (2000), TOKENS per stream (100), TPS per stream (20), TTFT_MS (200).
 * Linux only: CPU and RSS come from /proc/<pid>.
 */

import { simMessages } from "../../harness/client/sim-prompt.ts";
import { describeEnvironment, describeMachine } from "../../harness/measure/environment.ts";
import { cpuTime, cpuTimeSince, rssBytes } from "../../harness/measure/proc.ts";
import { relaunchWithFetchCap } from "../../harness/stack/fetch-cap.ts";
import { type Service, startSimulatorService } from "../../harness/stack/services.ts";
import { streamCompletion } from "../lib/openai-stream.ts";
import { numberSetting } from "../lib/settings.ts";

// Concurrent streams, all opened at once
const STREAMS = numberSetting("STREAMS", 2_000);
// Content tokens per stream
const TOKENS = numberSetting("TOKENS", 100);
// Tokens per second per stream
const TPS = numberSetting("TPS", 20);
// The simulator's delay before the first token, ms
const TTFT_MS = numberSetting("TTFT_MS", 200);

const root = new URL("../../", import.meta.url).pathname;
const runtime = process.env.SLUICE_RUNTIME === "deno" ? "deno" : "bun";

/** One stream read to its `[DONE]`; resolves with the completion tokens the usage chunk reports. */
async function oneStream(sim: Service, index: number, ttftMs = TTFT_MS, tps = TPS): Promise<number> {
  const messages = simMessages({ tokens: TOKENS, ttftMs, tps }, `Stream ${index}`);
  const url = `${sim.url}/v1/chat/completions`;
  const reading = await streamCompletion(url, { model: "demo", messages }, AbortSignal.timeout(120_000));
  return reading.completionTokens ?? 0;
}

/** The simulator's CPU and peak RSS while every stream runs. */
async function measure(sim: Service) {
  const pid = sim.process.pid;
  const cpuBefore = cpuTime(pid);
  let peakRss = rssBytes(pid);
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssBytes(pid));
  }, 100);
  const startedAt = performance.now();
  const counts = await Promise.all(Array.from({ length: STREAMS }, (_, i) => oneStream(sim, i)));
  const wallMs = performance.now() - startedAt;
  clearInterval(sampler);
  const cpu = cpuTimeSince(pid, cpuBefore);
  return { tokens: counts.reduce((sum, count) => sum + count, 0), cpu, wallMs, peakRss };
}

function print({ tokens, cpu, wallMs, peakRss }: Awaited<ReturnType<typeof measure>>): void {
  const totalUs = cpu.userUs + cpu.kernelUs;
  const idealMs = TTFT_MS + ((TOKENS - 1) * 1000) / TPS;
  const perToken = (micros: number) => (micros / tokens).toFixed(1);
  console.log(`simulator on ${runtime}: ${STREAMS} concurrent streams × ${TOKENS} tokens at ${TPS} tok/s`);
  console.log(`  ${describeMachine(describeEnvironment(root))}`);
  console.log(`  tokens received      ${tokens} (expected ${STREAMS * TOKENS})`);
  console.log(`  wall time            ${wallMs.toFixed(0)} ms (one stream alone: ${idealMs.toFixed(0)} ms)`);
  console.log(`  simulator CPU        ${(totalUs / 1e6).toFixed(2)} s = ${perToken(totalUs)} µs per token`);
  console.log(
    `    of which           user ${perToken(cpu.userUs)} µs, kernel ${perToken(cpu.kernelUs)} µs (socket writes)`,
  );
  console.log(`  simulator CPU share  ${((totalUs / 1000 / wallMs) * 100).toFixed(0)}% of one core`);
  console.log(`  simulator peak RSS   ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
}

async function main(): Promise<number> {
  const relaunched = await relaunchWithFetchCap();
  if (relaunched !== undefined) return relaunched;
  const sim = await startSimulatorService({ runtime, env: process.env });
  try {
    // Warm-up, so JIT compilation stays out of the figures.
    await Promise.all(Array.from({ length: 50 }, (_, i) => oneStream(sim, -i, 0, 1000)));
    print(await measure(sim));
  } finally {
    await sim.process.stop();
  }
  return 0;
}

// process.exit: the streams' AbortSignal.timeout timers would keep the process alive.
process.exit(await main());
