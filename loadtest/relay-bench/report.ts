/**
 * The relay bench's printout: the settings and the machine, then one line per figure with each
 * run's value and their median, then the app's CPU per token by thread.
 */
import { type BenchEnvironment, describeMachine } from "../../harness/measure/environment.ts";
import { median } from "../../harness/measure/percentile.ts";
import type { CpuTime } from "../../harness/measure/proc.ts";
import type { Idle, RelayFigures } from "./relay.ts";
import type { RelaySettings } from "./settings.ts";
import type { StopFigures } from "./stop.ts";

export type RelayRun = RelayFigures & {
  stop: StopFigures;
  idle: Idle;
  /** Redis's CPU during the relay and its RSS at the end, with REDIS_URL. */
  redis: { cpu: CpuTime; rssBytes: number } | undefined;
};

const perToken = (micros: number, tokens: number) => (micros / tokens).toFixed(1);
const kib = (bytes: number) => (bytes / 1024).toFixed(1);
const ms = (value: number) => value.toFixed(1);

/** One line per figure: its name and how to read it from a run. */
function rows(settings: RelaySettings): [string, (run: RelayRun) => string][] {
  return [
    ["tokens relayed", (r) => String(r.tokens)],
    ["app CPU µs/token user", (r) => perToken(r.appCpu.userUs, r.tokens)],
    ["app CPU µs/token kernel", (r) => perToken(r.appCpu.kernelUs, r.tokens)],
    ["app CPU µs/token total", (r) => perToken(r.appCpu.userUs + r.appCpu.kernelUs, r.tokens)],
    ["sim CPU µs/token user", (r) => (r.simulatorCpu ? perToken(r.simulatorCpu.userUs, r.tokens) : "-")],
    ["sim CPU µs/token kernel", (r) => (r.simulatorCpu ? perToken(r.simulatorCpu.kernelUs, r.tokens) : "-")],
    ["app RSS KiB/stream", (r) => kib(r.rssPerStream)],
    ["app heap KiB/stream", (r) => kib(r.heapPerStream)],
    ["idle RSS MiB", (r) => (r.idle.rssBytes / 2 ** 20).toFixed(1)],
    ["plateau samples", (r) => String(r.plateauSamples)],
    ["TTFT p50 ms", (r) => ms(r.ttftP50)],
    ["TTFT p99 ms", (r) => ms(r.ttftP99)],
    ["relay errors", (r) => String(r.errors)],
    ["client chunks/token", (r) => r.readsPerToken.toFixed(2)],
    ["wall ms", (r) => ms(r.wallMs)],
    ["Stop→sim p50 ms", (r) => ms(r.stop.p50)],
    ["Stop→sim p99 ms", (r) => ms(r.stop.p99)],
    ["Stop matched", (r) => `${r.stop.matched}/${settings.stops}`],
    ["Stop errors", (r) => String(r.stop.errors)],
    ["owner CPU µs/token", (r) => (r.ownerCpu ? perToken(r.ownerCpu.userUs + r.ownerCpu.kernelUs, r.tokens) : "-")],
    ["redis CPU µs/token", (r) => (r.redis ? perToken(r.redis.cpu.userUs + r.redis.cpu.kernelUs, r.tokens) : "-")],
    ["redis RSS MiB", (r) => (r.redis ? (r.redis.rssBytes / 2 ** 20).toFixed(1) : "-")],
  ];
}

/** Prints every run's figures and their medians. */
export function printRelayReport(
  settings: RelaySettings,
  environment: BenchEnvironment,
  runs: RelayRun[],
  withRedis = false,
): void {
  const mode = settings.embedded ? "embedded simulator" : "standalone simulator";
  const watched = settings.remote ? ", watching another instance's chats" : "";
  console.log(`\nrelay bench: app on ${settings.runtime}, ${mode}${withRedis ? ", REDIS_URL set" : ""}${watched}`);
  console.log(`  ${settings.streams} streams × ${settings.tokens} tokens at ${settings.tps} tok/s`);
  console.log(`  simulator TTFT ${settings.ttftMs} ms; ${settings.stops} Stops`);
  console.log(`  ${describeMachine(environment)}\n`);
  const header = ["figure".padEnd(26), ...runs.map((_, i) => `run ${i + 1}`.padStart(9)), "median".padStart(9)];
  console.log(header.join(""));
  for (const [name, cell] of rows(settings)) {
    const cells = runs.map(cell);
    const numbers = cells.map(Number).filter((value) => !Number.isNaN(value));
    const middle = numbers.length === cells.length ? String(Number(median(numbers).toFixed(1))) : "-";
    console.log([name.padEnd(26), ...cells.map((c) => c.padStart(9)), middle.padStart(9)].join(""));
  }
  console.log("\napp CPU µs/token by thread:");
  runs.forEach((run, i) => {
    const threads = [...run.appThreads].filter(([, micros]) => micros > 0).sort((a, b) => b[1] - a[1]);
    console.log(
      `  run ${i + 1}: ${threads.map(([name, micros]) => `${name} ${perToken(micros, run.tokens)}`).join(", ")}`,
    );
  });
}

/** What REDIS_URL costs one instance: the medians with and without, side by side. */
export function printRedisCost(without: RelayRun[], withRedis: RelayRun[]): void {
  const appCpu = (runs: RelayRun[]) =>
    median(runs.map((run) => (run.appCpu.userUs + run.appCpu.kernelUs) / run.tokens));
  const redisCpu = median(
    withRedis.map((run) => (run.redis ? (run.redis.cpu.userUs + run.redis.cpu.kernelUs) / run.tokens : 0)),
  );
  const [off, on] = [appCpu(without), appCpu(withRedis)];
  console.log("\nREDIS_URL on one instance (medians):");
  console.log(
    `  app CPU µs/token: ${off.toFixed(1)} without, ${on.toFixed(1)} with (+${(on - off).toFixed(1)}, +${(((on - off) / off) * 100).toFixed(0)}%)`,
  );
  console.log(
    `  redis CPU µs/token: ${redisCpu.toFixed(1)}; redis RSS at the end: ${(median(withRedis.map((run) => run.redis?.rssBytes ?? 0)) / 2 ** 20).toFixed(1)} MiB`,
  );
}
