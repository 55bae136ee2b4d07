/**
 * `npm run bench [-- --quick]`: starts the native stack (simulator, app, nginx) and measures, on
 * this machine, what nginx + Sluice add to a token stream: latency direct vs through the stack at
 * concurrency 1, 100 and 1,000, CPU per relayed token, memory per open stream, the most streams
 * held with zero errors, and Stop → upstream abort. Writes loadtest/results/<date>[-quick].json and .md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { fetchCounter } from "../../harness/client/metrics.ts";
import { describeEnvironment } from "../../harness/measure/environment.ts";
import { rssBytes, withChildren } from "../../harness/measure/proc.ts";
import { figuresOf, type Percentiles } from "./figures.ts";
import { type HoldFigures, holdFiguresOf } from "./hold-figures.ts";
import { type LoadStack, scenarioEnv, startLoadStack } from "./load-stack.ts";
import { type BenchPlan, benchPlan, rampSeconds } from "./plan.ts";
import { type BenchResult, benchMarkdown, type LatencyLevel } from "./report.ts";
import { runLoadScenario, type ScenarioRun } from "./run-scenario.ts";

const root = new URL("../../", import.meta.url).pathname;

/** The app's settings for the bench (see loadtest/README.md for why). */
const APP_ENV = {
  // Finished streams stay replayable this long; kept short so RSS on a plateau is the open streams'.
  STREAM_RETENTION_MS: "2000",
  // Above the largest ladder step, so the app's own admission limit is not what is measured.
  MAX_ACTIVE_GENERATIONS: "20000",
};

const log = (line: string) => console.error(line);

async function run(
  loadStack: LoadStack,
  scenario: string,
  env: Record<string, string>,
  extra?: () => Promise<number>,
): Promise<ScenarioRun> {
  log(`\n== ${scenario} ${JSON.stringify(env)}`);
  const result = await runLoadScenario(scenario, scenarioEnv(loadStack, env), loadStack.pids, {
    onLine: (line) => {
      if (/^\[|^error |thresholds have failed|^left=/.test(line)) log(`   ${line}`);
    },
    ...(extra ? { extra } : {}),
  });
  log(`   exit ${result.exitCode} in ${(result.wallMs / 1000).toFixed(1)} s`);
  return result;
}

async function latencyLevels(loadStack: LoadStack, plan: BenchPlan): Promise<LatencyLevel[]> {
  const levels: LatencyLevel[] = [];
  for (const concurrency of plan.levels) {
    const env = {
      ...plan.latency,
      VUS: String(concurrency),
      RAMP_S: String(rampSeconds(concurrency)),
      DURATION_S: String(plan.latencyDurationS),
    };
    const direct = figuresOf(await run(loadStack, "direct", env));
    const gateway = figuresOf(await run(loadStack, "gateway", env));
    const chat = figuresOf(await run(loadStack, "chat", env));
    levels.push({ concurrency, direct, gateway, chat });
  }
  return levels;
}

/** A few seconds of light traffic, so that JIT warm-up and first-use costs stay out of the figures. */
async function warmUp(loadStack: LoadStack): Promise<void> {
  const env = { VUS: "10", DURATION_S: "3", TOKENS: "20", SIM_TTFT_MS: "50", SIM_TPS: "50", THRESHOLD_GOODPUT: "0" };
  await run(loadStack, "gateway", env);
  await run(loadStack, "chat", env);
}

/** RSS of the app and of nginx (master + workers), bytes. */
function memoryOf(loadStack: LoadStack): { app: number; nginx: number } {
  return {
    app: rssBytes(loadStack.pids.app),
    nginx: withChildren(loadStack.pids.nginxMaster).reduce((sum, pid) => sum + rssBytes(pid), 0),
  };
}

/**
 * Each step on a fresh stack: a runtime keeps freed heap resident, so idle RSS after a bigger
 * run would understate what the next step's streams cost.
 */
async function holdStep(plan: BenchPlan, target: number): Promise<HoldFigures> {
  const loadStack = await startLoadStack(APP_ENV);
  try {
    await warmUp(loadStack);
    // Past STREAM_RETENTION_MS, so the warm-up's finished streams are gone.
    await Bun.sleep(4_000);
    const idle = memoryOf(loadStack);
    const active = () => fetchCounter(`${loadStack.metricsUrl}/metrics`, "sluice_streams_active");
    const result = await run(loadStack, "streams", { ...plan.hold, STREAMS: String(target) }, active);
    return holdFiguresOf(result, target, idle);
  } finally {
    await loadStack.stack.stop();
  }
}

async function holdLadder(plan: BenchPlan): Promise<HoldFigures[]> {
  const holds: HoldFigures[] = [];
  for (const target of plan.holdTargets) {
    const hold = await holdStep(plan, target);
    holds.push(hold);
    log(
      `   held ${target}: ${hold.held} (max open ${hold.maxOpenStreams}, errors ${hold.errors}, app ${hold.appRssPerStreamKiB} KiB/stream)`,
    );
    if (!hold.held || hold.generatorSaturated) break;
  }
  return holds;
}

async function stopLatency(loadStack: LoadStack, plan: BenchPlan): Promise<BenchResult["stop"]> {
  const result = await run(loadStack, "stop", { CLIENTS: String(plan.stopClients) });
  const metric = (name: string): Percentiles | undefined => {
    const values = result.summary?.metrics[name]?.values;
    return values?.count
      ? { p50: round(values.med ?? 0), p95: round(values["p(95)"] ?? 0), p99: round(values["p(99)"] ?? 0) }
      : undefined;
  };
  return {
    clients: plan.stopClients,
    aborted: result.summary?.metrics.sluice_stop_aborted?.values.passes ?? 0,
    toAbort: metric("sluice_stop_to_abort"),
    toDone: metric("sluice_stop_to_done"),
    exitCode: result.exitCode,
  };
}

const round = (value: number) => Math.round(value * 100) / 100;

async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const plan = benchPlan(quick);
  const environment = describeEnvironment(root);
  log(`environment: ${JSON.stringify(environment)}`);
  const loadStack = await startLoadStack(APP_ENV);
  let latency: LatencyLevel[];
  let stop: BenchResult["stop"];
  try {
    log(
      `stack: ${loadStack.sluiceUrl} (nginx) → ${loadStack.appUrl} (app, ${loadStack.stack.runtime}) → ${loadStack.simUrl} (simulator)`,
    );
    await warmUp(loadStack);
    latency = await latencyLevels(loadStack, plan);
    stop = await stopLatency(loadStack, plan);
  } finally {
    await loadStack.stack.stop();
  }
  const holds = await holdLadder(plan);
  const heldTargets = holds.filter((hold) => hold.held).map((hold) => hold.target);
  const date = new Date().toISOString().slice(0, 10);
  const result: BenchResult = {
    date,
    quick,
    command: `npm run bench${quick ? " -- --quick" : ""}`,
    environment,
    settings: { app: { runtime: loadStack.stack.runtime, ...APP_ENV }, plan },
    latency,
    holds,
    highestHeld: heldTargets.length ? Math.max(...heldTargets) : undefined,
    stop,
  };
  const name = `${date}${quick ? "-quick" : ""}`;
  mkdirSync(`${root}loadtest/results`, { recursive: true });
  writeFileSync(`${root}loadtest/results/${name}.json`, `${JSON.stringify(result, null, 2)}\n`);
  const markdown = benchMarkdown(result);
  writeFileSync(`${root}loadtest/results/${name}.md`, markdown);
  console.log(`\n${markdown}`);
  log(`written: loadtest/results/${name}.json and .md`);
}

await main();
