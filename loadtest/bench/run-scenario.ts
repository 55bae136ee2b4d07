/**
 * Runs one load scenario as a child process (`bun loadtest/run.ts`) while watching the servers:
 * CPU time of the app, nginx (master + workers), the simulator and the load generator itself,
 * and, every second, resident memory and the generator's CPU share (to tell when it saturated).
 */
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { cpuMicros, rssBytes, totalCpuMicros, withChildren } from "../../harness/measure/proc.ts";
import { withFetchCap } from "../../harness/stack/fetch-cap.ts";
import type { MetricSummary } from "../lib/metrics.ts";
import type { ThresholdResult } from "../lib/thresholds.ts";

const root = new URL("../../", import.meta.url).pathname;

/** The processes whose cost is measured. */
export interface WatchedProcesses {
  app: number;
  nginxMaster: number;
  simulator: number | undefined;
}

export interface Sample {
  /** Seconds since the scenario started. */
  t: number;
  appRss: number;
  nginxRss: number;
  /** CPU share of one core the load generator used over the last second. */
  generatorCpu: number;
  /** Whatever the caller measures alongside (e.g. the app's sluice_streams_active). */
  extra: number | undefined;
}

export interface RunSummary {
  metrics: Record<string, MetricSummary>;
  thresholds: ThresholdResult[];
  passed: boolean;
}

export interface ScenarioRun {
  scenario: string;
  env: Record<string, string>;
  exitCode: number;
  wallMs: number;
  summary: RunSummary | undefined;
  /** CPU µs used during the run. */
  cpu: { app: number; nginx: number; simulator: number; generator: number };
  samples: Sample[];
}

export interface RunOptions {
  /** Sampled once a second with the memory figures. */
  extra?: () => Promise<number>;
  /** Each line the runner prints (progress, errors, the summary). */
  onLine?: (line: string) => void;
}

async function pipeLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  }
  if (buffered) onLine(buffered);
}

function readSummary(path: string): RunSummary | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as RunSummary;
  } catch {
    return undefined;
  } finally {
    rmSync(path, { force: true });
  }
}

/** Runs `scenario` with `env` and returns its summary and the costs measured around it. */
export async function runLoadScenario(
  scenario: string,
  env: Record<string, string>,
  watched: WatchedProcesses,
  options: RunOptions = {},
): Promise<ScenarioRun> {
  const summaryPath = `${tmpdir()}/sluice-bench-${crypto.randomUUID()}.json`;
  const nginx = withChildren(watched.nginxMaster);
  const before = {
    app: cpuMicros(watched.app),
    nginx: totalCpuMicros(nginx),
    simulator: watched.simulator ? cpuMicros(watched.simulator) : 0,
  };
  const started = performance.now();
  const child = Bun.spawn([process.execPath, `${root}loadtest/run.ts`, scenario, "--summary-export", summaryPath], {
    cwd: root,
    // The cap set here, so the runner does not relaunch itself: its pid is then the generator's.
    env: withFetchCap({ ...process.env, ...env }),
    stdout: "pipe",
    stderr: "pipe",
  });
  const onLine = options.onLine ?? (() => {});
  const output = Promise.all([pipeLines(child.stdout, onLine), pipeLines(child.stderr, onLine)]);
  const samples: Sample[] = [];
  let lastGenerator = 0;
  let lastAt = started;
  const sampler = setInterval(async () => {
    const now = performance.now();
    const generator = cpuMicros(child.pid);
    const share = (generator - lastGenerator) / ((now - lastAt) * 1000);
    lastGenerator = generator;
    lastAt = now;
    const nginxRss = withChildren(watched.nginxMaster).reduce((sum, pid) => sum + rssBytes(pid), 0);
    const extra = await options.extra?.().catch(() => undefined);
    samples.push({ t: (now - started) / 1000, appRss: rssBytes(watched.app), nginxRss, generatorCpu: share, extra });
  }, 1000);
  const exitCode = await child.exited.finally(() => clearInterval(sampler));
  // /proc/<pid> is gone once it exited; the kernel's rusage of the child has its whole CPU time.
  const generatorTotal = Number(child.resourceUsage()?.cpuTime.total ?? lastGenerator);
  await output;
  return {
    scenario,
    env,
    exitCode,
    wallMs: performance.now() - started,
    summary: readSummary(summaryPath),
    cpu: {
      app: cpuMicros(watched.app) - before.app,
      nginx: totalCpuMicros(withChildren(watched.nginxMaster)) - before.nginx,
      simulator: watched.simulator ? cpuMicros(watched.simulator) - before.simulator : 0,
      generator: generatorTotal,
    },
    samples,
  };
}
