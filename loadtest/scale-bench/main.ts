/**
 * How far Sluice scales out on this machine: the same ladder of concurrent streams (the `streams`
 * scenario through nginx) against 1 and then 2 app instances sharing a Redis, each step held
 * when every stream completes with no error and ITL p99 stays within twice the simulator's token
 * interval. Prints, per step, the ITL and TTFT percentiles and the CPU of every process (apps,
 * nginx, Redis, simulator, the load generator), so the reader sees what used the cores.
 *
 *   bun loadtest/scale-bench/main.ts
 *   bun loadtest/scale-bench/main.ts --instances 1,2 --ladder 500,1000,1500,2000,3000 --tps 10 --tokens 100
 *   bun loadtest/scale-bench/main.ts --no-redis   # one instance without REDIS_URL, for reference
 *
 * Not a test: the figures depend on the machine and on what else runs on it.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { describeEnvironment, describeMachine } from "../../harness/measure/environment.ts";
import { cpuMicros } from "../../harness/measure/proc.ts";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";
import { figuresOf, type RunFigures } from "../bench/figures.ts";
import { runLoadScenario } from "../bench/run-scenario.ts";

const root = new URL("../../", import.meta.url).pathname;

interface Step {
  instances: number;
  redis: boolean;
  streams: number;
  held: boolean;
  figures: RunFigures;
  /** CPU over the run as shares of one core (1.0 = a whole core), per process group. */
  cores: { apps: number; nginx: number; redis: number; simulator: number; generator: number };
}

function readOptions() {
  const { values } = parseArgs({
    options: {
      instances: { type: "string", default: "1,2" },
      ladder: { type: "string", default: "500,1000,1500,2000,3000,4000" },
      tps: { type: "string", default: "10" },
      tokens: { type: "string", default: "100" },
      "ramp-s": { type: "string", default: "20" },
      "hold-s": { type: "string", default: "20" },
      "no-redis": { type: "boolean", default: false },
    },
  });
  const list = (text: string) => text.split(",").map(Number);
  return {
    instances: list(values.instances),
    ladder: list(values.ladder),
    tps: Number(values.tps),
    tokens: Number(values.tokens),
    rampS: Number(values["ramp-s"]),
    holdS: Number(values["hold-s"]),
    redis: !values["no-redis"],
  };
}

type Options = ReturnType<typeof readOptions>;

const APP_ENV = { STREAM_RETENTION_MS: "2000", MAX_ACTIVE_GENERATIONS: "20000" };

async function step(stack: Stack, options: Options, streams: number, redisPid: number | undefined): Promise<Step> {
  const appPids = stack.apps.map((app) => app.pid);
  const before = { apps: appPids.map(cpuMicros), redis: redisPid ? cpuMicros(redisPid) : 0 };
  const started = performance.now();
  const run = await runLoadScenario(
    "streams",
    {
      SLUICE_URL: stack.url,
      SIM_URL: stack.simulatorUrl ?? "",
      STREAMS: String(streams),
      RAMP_S: String(options.rampS),
      HOLD_S: String(options.holdS),
      SIM_TPS: String(options.tps),
      TOKENS: String(options.tokens),
      // Held or not is decided here, from ITL p99; the scenario's own thresholds are not the criterion.
      THRESHOLD_GOODPUT: "0",
    },
    { app: appPids[0] ?? 0, nginxMaster: stack.nginxPid, simulator: stack.simulatorPid },
  );
  const seconds = (performance.now() - started) / 1000;
  const share = (micros: number) => Math.round((micros / 1e6 / seconds) * 100) / 100;
  const figures = figuresOf(run);
  const intervalMs = 1000 / options.tps;
  const held =
    figures.errors === 0 &&
    figures.maxOpenStreams >= streams * 0.95 &&
    (figures.itl?.p99 ?? Number.POSITIVE_INFINITY) <= 2 * intervalMs;
  return {
    instances: stack.apps.length,
    redis: options.redis,
    streams,
    held,
    figures,
    cores: {
      apps: share(appPids.reduce((sum, pid, index) => sum + cpuMicros(pid) - (before.apps[index] ?? 0), 0)),
      nginx: share(run.cpu.nginx),
      redis: redisPid ? share(cpuMicros(redisPid) - before.redis) : 0,
      simulator: share(run.cpu.simulator),
      generator: share(run.cpu.generator),
    },
  };
}

function print(step: Step, intervalMs: number): void {
  const { figures: f, cores: c } = step;
  console.log(
    [
      `${step.instances} inst${step.redis ? "+redis" : ""}`.padEnd(14),
      String(step.streams).padStart(6),
      (step.held ? "held" : "NOT held").padStart(9),
      `ITL p50/p99 ${f.itl?.p50 ?? "-"}/${f.itl?.p99 ?? "-"} ms (≤ ${2 * intervalMs})`.padStart(34),
      `TTFT p99 ${f.ttft?.p99 ?? "-"} ms`.padStart(18),
      `errors ${f.errors}`.padStart(10),
      `  cores: apps ${c.apps} nginx ${c.nginx} redis ${c.redis} sim ${c.simulator} generator ${c.generator}`,
    ].join(" "),
  );
}

async function main(): Promise<void> {
  const options = readOptions();
  const environment = describeEnvironment(root);
  console.log(`scale bench: ${describeMachine(environment)}`);
  console.log(
    `streams of ${options.tokens} tokens at ${options.tps} tok/s (interval ${1000 / options.tps} ms); ramp ${options.rampS} s, hold ${options.holdS} s`,
  );
  const steps: Step[] = [];
  for (const instances of options.instances) {
    for (const streams of options.ladder) {
      // A fresh stack per step: what one step leaves (heap, sockets in TIME_WAIT) does not weigh on the next.
      const stack = await startStack({ instances, redis: options.redis, env: APP_ENV });
      try {
        console.error(`… ${instances} instance(s), ${streams} streams (load ${loadavg()[0]?.toFixed(2)})`);
        const result = await step(stack, options, streams, stack.redisPid);
        steps.push(result);
        print(result, 1000 / options.tps);
        if (!result.held) break;
      } finally {
        await stack.stop();
      }
    }
  }
  console.log("\nmost streams held:");
  for (const instances of options.instances) {
    const held = steps.filter((step) => step.instances === instances && step.held).map((step) => step.streams);
    console.log(`  ${instances} instance(s): ${held.length ? Math.max(...held) : "none of the ladder"}`);
  }
}

await main();
process.exit(0);
