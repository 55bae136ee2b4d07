/**
 * What the app itself spends to relay tokens: starts a standalone simulator and the app, warms
 * up, opens STREAMS concurrent streams (POST /api/chat + GET streamUrl) from this process, and
 * prints the app's CPU per relayed token (user / kernel), its memory per open stream (RSS and JS
 * heap, plateau − idle), TTFT as a viewer sees it, errors, the Stop latency (DELETE sent → the
 * simulator saw the abort), the simulator's own CPU per token as a reference floor, and the machine.
 * Tokens relayed come from the app's sluice_tokens_total; the app's CPU is also split by thread
 * (Bun: the JS thread "bun", its fetch thread "HTTP Client", GC and JIT helpers).
 *
 *   bun loadtest/relay-bench/main.ts                       # app and simulator on Bun, 1,000 streams
 *   bun loadtest/relay-bench/main.ts --runtime deno        # both on Deno
 *   bun loadtest/relay-bench/main.ts --embedded            # the app's in-process simulator (no UPSTREAM_BASE_URL)
 *   bun loadtest/relay-bench/main.ts --runs 3              # fresh processes per run; prints every run and the medians
 *   bun loadtest/relay-bench/main.ts --app-bun-options="--cpu-prof-md --cpu-prof-dir=prof"   # profile the app
 *   bun loadtest/relay-bench/main.ts --redis both --runs 3  # each run twice, without and with REDIS_URL:
 *                                                           # what sharing generations costs one instance,
 *                                                           # and Redis's own CPU per token and RSS
 *   bun loadtest/relay-bench/main.ts --remote               # chats start on a second instance and are
 *                                                           # watched on the measured one: the cost of
 *                                                           # following generations through Redis
 *   bun loadtest/relay-bench/main.ts --compare --tokens 100 --runs 3 --results loadtest/results/relay-<date>
 *       side by side, GET /chat?q= on each: the peer (loadtest/peers/), Sluice on Bun, on Deno and with
 *       REDIS_URL (--subjects peer,sluice,sluice-deno,sluice-redis), every figure a ratio within a round;
 *       --warm-up 1000: every server starts with its model connections open (a steady state);
 *       --warm-up-rounds 10 (with --warm-up 1000): the JIT's last tier done with every request's code;
 *       --alt-env "A=1,B=2": a sluice-alt subject with those settings (REDIS_URL=throwaway: a Redis of its own);
 *       --profile-dir <dir>: every server writes its JIT's code map for perf (cpu-split.ts runs it so)
 *
 * Options: --streams 1000, --tokens 200 (per stream), --tps 20 (per stream), --ttft-ms 200, --stops 200.
 * Not a test: the figures depend on the machine and on what else runs on it, so repeat and read medians.
 * Linux only: CPU time and RSS come from /proc/<pid> (proc(5)).
 */
import { mkdtempSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { describeEnvironment } from "../../harness/measure/environment.ts";
import { cpuTime, cpuTimeSince, rssBytes } from "../../harness/measure/proc.ts";
import { relaunchWithFetchCap } from "../../harness/stack/fetch-cap.ts";
import { startTestRedis, type TestRedis } from "../../harness/stack/redis.ts";
import { internalUrlOf, type Service, startAppService, startSimulatorService } from "../../harness/stack/services.ts";
import { compareSubjects } from "./compare.ts";
import { writeCompareReport } from "./compare-report.ts";
import { admissionLimit, measureRelay, RETENTION_MS, warmUpAndIdle } from "./relay.ts";
import { printRedisCost, printRelayReport, type RelayRun } from "./report.ts";
import { profileEnvFor, type RelaySettings, readSettings } from "./settings.ts";
import { measureStop } from "./stop.ts";

const root = new URL("../../", import.meta.url).pathname;

function appEnv(
  settings: RelaySettings,
  simulator: Service | undefined,
  redis: TestRedis | undefined,
): Record<string, string | undefined> {
  return {
    ...process.env,
    ...(redis ? { REDIS_URL: redis.url } : {}),
    ...(simulator ? { UPSTREAM_BASE_URL: `${simulator.url}/v1`, MODEL: "demo" } : {}),
    DATA_DIR: mkdtempSync(join(tmpdir(), "sluice-relay-bench-")),
    // A short drain: the bench stops the app right after its last stream.
    DRAIN_TIMEOUT_MS: "1000",
    STREAM_RETENTION_MS: String(RETENTION_MS),
    MAX_ACTIVE_GENERATIONS: String(admissionLimit(settings)),
    ...(settings.appBunOptions ? { BUN_OPTIONS: settings.appBunOptions } : {}),
  };
}

/** One run on fresh processes: warm-up, the relay measurement, then Stop. */
async function runOnce(settings: RelaySettings, withRedis: boolean): Promise<RelayRun> {
  const { runtime } = settings;
  const redis = withRedis ? await startTestRedis() : undefined;
  const simulator = settings.embedded ? undefined : await startSimulatorService({ runtime, env: process.env });
  const app = await startAppService({ runtime, env: appEnv(settings, simulator, redis) });
  const owner = settings.remote
    ? await startAppService({ runtime, env: appEnv(settings, simulator, redis) }, "owner")
    : undefined;
  try {
    const idle = await warmUpAndIdle(app);
    const redisBefore = redis && cpuTime(redis.pid());
    const relay = await measureRelay(settings, app, simulator, idle, owner);
    const redisFigures = redis &&
      redisBefore && { cpu: cpuTimeSince(redis.pid(), redisBefore), rssBytes: rssBytes(redis.pid()) };
    // The embedded simulator's statistics are on the app's internal listener.
    const stop = await measureStop(settings, app, simulator?.url ?? internalUrlOf(app.process.output()));
    return { ...relay, stop, idle, redis: redisFigures };
  } finally {
    await app.process.stop();
    await owner?.process.stop();
    await simulator?.process.stop();
    await redis?.stop();
  }
}

async function main(): Promise<number> {
  const relaunched = await relaunchWithFetchCap();
  if (relaunched !== undefined) return relaunched;
  const settings = readSettings();
  const environment = describeEnvironment(root);
  if (settings.compare) return compare(settings, environment);
  const modes = settings.redis === "both" ? [false, true] : [settings.redis === "on"];
  const runs = new Map<boolean, RelayRun[]>(modes.map((mode) => [mode, []]));
  for (let run = 0; run < settings.runs; run++) {
    // Alternating, so that a machine that slows down over time weighs on both alike.
    for (const withRedis of modes) {
      console.log(
        `run ${run + 1}/${settings.runs}${withRedis ? " with REDIS_URL" : ""} (load ${loadavg()[0]?.toFixed(2)})…`,
      );
      runs.get(withRedis)?.push(await runOnce(settings, withRedis));
    }
  }
  for (const withRedis of modes) printRelayReport(settings, environment, runs.get(withRedis) ?? [], withRedis);
  if (modes.length === 2) printRedisCost(runs.get(false) ?? [], runs.get(true) ?? []);
  return 0;
}

/** The side-by-side run (--compare): the peer and Sluice's variants, ratios within each round. */
async function compare(settings: RelaySettings, environment: ReturnType<typeof describeEnvironment>): Promise<number> {
  const compared = {
    ...settings,
    rounds: settings.runs,
    bunOptions: settings.appBunOptions,
    ...(settings.profileDir ? { profileEnv: profileEnvFor(settings.profileDir) } : {}),
  };
  const measured = await compareSubjects(compared);
  const command = `bun loadtest/relay-bench/main.ts ${process.argv.slice(2).join(" ")}`;
  writeCompareReport(settings.results, compared, environment, measured, command);
  return 0;
}

// process.exit: pending AbortSignal.timeout timers would keep the process alive until they fire.
process.exit(await main());
