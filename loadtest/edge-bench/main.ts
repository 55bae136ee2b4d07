/**
 * The edge under abuse, measured (issue 18):
 *
 *   bun loadtest/edge-bench/main.ts bad-requests            # 4 bad requests/s for 60 s against two
 *                                                           # instances behind nginx: share of
 *                                                           # legitimate requests that fail (target 0)
 *   bun loadtest/edge-bench/main.ts bad-requests --control  # the same with nginx's edge defences
 *                                                           # undone, for comparison
 *   bun loadtest/edge-bench/main.ts image-flood             # the app's RSS under the image flood,
 *                                                           # at each of --budgets (INFLIGHT_BYTES_MAX)
 *
 * Options: --runtime bun|deno (the apps'), --duration-s 60, --bad-rate 4, --good-rate 4 (bad-requests);
 * --budgets 536870912,1073741824,68719476736 (the last: no bound), --rounds 3, --parallel 3 (image-flood).
 * Not a test: the figures depend on the machine and on what else runs on it; repeat them.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Runtime } from "../../harness/stack/process.ts";
import { startAppService, startSimulatorService } from "../../harness/stack/services.ts";
import { startStack } from "../../harness/stack/start-stack.ts";
import { measureBadRequests, undoNginxDefences } from "./bad-requests.ts";
import { measureImageFlood } from "./image-flood.ts";

const ALICE = "edge-bench-alice-7c1e9b2f40";
const BOB = "edge-bench-bob-3a8d6e5f91c2";
const MiB = 1024 * 1024;

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runtime: { type: "string", default: "bun" },
    control: { type: "boolean", default: false },
    "duration-s": { type: "string", default: "60" },
    "bad-rate": { type: "string", default: "4" },
    "good-rate": { type: "string", default: "4" },
    budgets: { type: "string", default: `${512 * MiB},${1024 * MiB},${64 * 1024 * MiB}` },
    rounds: { type: "string", default: "3" },
    parallel: { type: "string", default: "3" },
  },
});
const runtime: Runtime = flags.runtime === "deno" ? "deno" : "bun";

async function badRequests(): Promise<void> {
  const stack = await startStack({
    runtime,
    instances: 2,
    redis: true,
    env: { AUTH: "token", AUTH_TOKENS: `alice:${ALICE}`, SIM_TTFT_MS: "0" },
  });
  try {
    if (flags.control) await undoNginxDefences(stack);
    const figures = await measureBadRequests(stack, {
      durationS: Number(flags["duration-s"]),
      badRate: Number(flags["bad-rate"]),
      goodRate: Number(flags["good-rate"]),
      token: ALICE,
    });
    const share = figures.good === 0 ? 0 : (100 * figures.goodFailed) / figures.good;
    console.log(
      `bad-requests (${runtime}, two instances, nginx ${flags.control ? "defences undone" : "as shipped"}): ` +
        `${figures.bad} bad requests, ${figures.good} legitimate, ${figures.goodFailed} failed (${share.toFixed(1)}%)`,
    );
    if (figures.goodFailed > 0) console.log(`  failures: ${JSON.stringify(figures.failures)}`);
  } finally {
    await stack.stop();
  }
}

async function imageFlood(): Promise<void> {
  for (const budget of flags.budgets.split(",").map(Number)) {
    const env = { ...process.env, SIM_TTFT_MS: "0" };
    const simulator = await startSimulatorService({ runtime, env });
    const app = await startAppService({
      runtime,
      userLimits: "app-defaults",
      env: {
        ...env,
        UPSTREAM_BASE_URL: `${simulator.url}/v1`,
        MODEL: "demo",
        AUTH: "token",
        AUTH_TOKENS: `alice:${ALICE},bob:${BOB}`,
        DATA_DIR: mkdtempSync(join(tmpdir(), "sluice-edge-bench-")),
        INFLIGHT_BYTES_MAX: String(budget),
        DRAIN_TIMEOUT_MS: "1000",
      },
    });
    try {
      const target = { url: app.url, pid: app.process.pid, tokens: [ALICE, BOB] };
      const figures = await measureImageFlood(target, Number(flags.parallel), Number(flags.rounds));
      const mib = (bytes: number) => `${(bytes / MiB).toFixed(0)} MiB`;
      console.log(
        `image-flood (${runtime}, INFLIGHT_BYTES_MAX ${mib(budget)}): RSS ${mib(figures.idleRssBytes)} idle → ` +
          `${mib(figures.peakRssBytes)} peak (+${mib(figures.peakRssBytes - figures.idleRssBytes)}); ` +
          `questions: ${JSON.stringify(figures.statuses)}`,
      );
    } finally {
      await Promise.all([app.process.stop(), simulator.process.stop()]);
    }
  }
}

const scenario = positionals[0];
if (scenario === "bad-requests") await badRequests();
else if (scenario === "image-flood") await imageFlood();
else {
  console.error("usage: bun loadtest/edge-bench/main.ts bad-requests [--control] | image-flood");
  process.exit(2);
}
