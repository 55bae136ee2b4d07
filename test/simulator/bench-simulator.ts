/**
 * How cheap the simulator is: opens STREAMS concurrent streams against a standalone simulator
 * (raw fetch, bodies read to the end) and prints the simulator's CPU time per token and its
 * peak RSS. Not a test; run it by hand:
 *
 *   bun test/simulator/bench-simulator.ts                       # simulator on Bun
 *   SLUICE_RUNTIME=deno bun test/simulator/bench-simulator.ts   # simulator on Deno
 *
 * Settings (env): STREAMS (2000), TOKENS per stream (100), TPS per stream (20), TTFT_MS (200).
 * Linux only: CPU and RSS come from /proc/<pid>.
 */
import { readFileSync } from "node:fs";
import { runtime, startSimulator } from "../support/spawn.ts";

const STREAMS = Number(process.env.STREAMS ?? 2_000);
const TOKENS = Number(process.env.TOKENS ?? 100);
const TPS = Number(process.env.TPS ?? 20);
const TTFT_MS = Number(process.env.TTFT_MS ?? 200);
// Bun's fetch keeps at most 256 requests in flight unless told otherwise at start-up.
const MAX_IN_FLIGHT = "BUN_CONFIG_MAX_HTTP_REQUESTS";

/** CPU seconds (all threads) of `pid`, from /proc/<pid>/stat in clock ticks (100 Hz). */
function cpuSeconds(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? 0) / 1024;
}

/** One stream read to the end; resolves with the completion tokens the usage chunk reports. */
async function oneStream(url: string, index: number, ttftMs = TTFT_MS, tps = TPS): Promise<number> {
  const content = `/sim ttft_ms=${ttftMs} tps=${tps} tokens=${TOKENS}\nStream ${index}`;
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content }],
    }),
    signal: AbortSignal.timeout(120_000),
  });
  const decoder = new TextDecoder();
  let tail = "";
  for await (const bytes of response.body as ReadableStream<Uint8Array>) {
    tail = (tail + decoder.decode(bytes, { stream: true })).slice(-300);
  }
  if (!tail.endsWith("data: [DONE]\n\n")) throw new Error(`stream ${index} did not end with [DONE]`);
  return Number(/"completion_tokens":(\d+)/.exec(tail)?.[1] ?? 0);
}

async function bench(): Promise<void> {
  const sim = await startSimulator({}, runtime);
  const pid = sim.process.pid;
  try {
    await Promise.all(Array.from({ length: 50 }, (_, i) => oneStream(sim.url, -i, 0, 1000))); // warm-up: JIT
    const cpuBefore = cpuSeconds(pid);
    let peakRss = rssMiB(pid);
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, rssMiB(pid));
    }, 100);
    const startedAt = performance.now();
    const counts = await Promise.all(Array.from({ length: STREAMS }, (_, i) => oneStream(sim.url, i)));
    const wallMs = performance.now() - startedAt;
    clearInterval(sampler);
    const tokens = counts.reduce((sum, count) => sum + count, 0);
    const cpuAfter = cpuSeconds(pid);
    const user = cpuAfter.user - cpuBefore.user;
    const system = cpuAfter.system - cpuBefore.system;
    const cpu = user + system;
    const idealMs = TTFT_MS + ((TOKENS - 1) * 1000) / TPS;
    console.log(`simulator on ${runtime}: ${STREAMS} concurrent streams × ${TOKENS} tokens at ${TPS} tok/s`);
    console.log(`  tokens received      ${tokens} (expected ${STREAMS * TOKENS})`);
    console.log(`  wall time            ${wallMs.toFixed(0)} ms (one stream alone: ${idealMs.toFixed(0)} ms)`);
    const perToken = (seconds: number) => ((seconds * 1e6) / tokens).toFixed(1);
    console.log(`  simulator CPU        ${cpu.toFixed(2)} s = ${perToken(cpu)} µs per token`);
    console.log(`    of which           user ${perToken(user)} µs, kernel ${perToken(system)} µs (socket writes)`);
    console.log(`  simulator CPU share  ${((cpu * 100_000) / wallMs).toFixed(0)}% of one core`);
    console.log(`  simulator peak RSS   ${peakRss.toFixed(0)} MiB`);
  } finally {
    await sim.stop();
  }
}

if (process.env[MAX_IN_FLIGHT]) {
  await bench();
  // startProcess's start-up timeout timer would keep the process alive for another 20 s.
  process.exit(0);
} else {
  // Re-run this script with the limit raised, so every stream is really open at once.
  const child = Bun.spawn([process.execPath, import.meta.path], {
    env: { ...process.env, [MAX_IN_FLIGHT]: String(STREAMS + 64) },
    stdio: ["inherit", "inherit", "inherit"],
  });
  process.exit(await child.exited);
}
