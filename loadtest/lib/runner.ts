/**
 * Runs one scenario module end to end: setup → executor → teardown → summary → thresholds.
 * Exit codes follow k6: 0 passed, 99 a threshold failed, 1 the scenario itself broke.
 */
import { toLoadError } from "./errors.ts";
import { execute, maxDurationS } from "./executors.ts";
import { Counter, summariseAll, Trend } from "./metrics.ts";
import type { ScenarioModule } from "./scenario.ts";
import { errors, streamsOpen } from "./stream-metrics.ts";
import { formatSummary } from "./summary-text.ts";
import { evaluateThresholds } from "./thresholds.ts";

const iterations = new Counter("sluice_iterations");
const interrupted = new Counter("sluice_interrupted_iterations");
const dropped = new Counter("sluice_dropped_iterations");
const iterationDuration = new Trend("sluice_iteration_duration");

/** How many failures of each code are printed in full before they are only counted. */
const PRINTED_PER_CODE = 3;

export interface RunOptions {
  /** Where to write the JSON summary (k6's `--summary-export`). */
  summaryExport?: string;
  log?: (line: string) => void;
}

export const EXIT_PASSED = 0;
export const EXIT_SCRIPT_ERROR = 1;
export const EXIT_THRESHOLDS_FAILED = 99;

function iterationRunner<Data>(
  scenario: ScenarioModule<Data>,
  data: Data,
  hardStop: AbortController,
  log: (line: string) => void,
) {
  const printed = new Map<string, number>();
  return async (vu: number, iteration: number) => {
    const signal = AbortSignal.any([hardStop.signal, AbortSignal.timeout(scenario.options.iterationTimeoutMs)]);
    const started = performance.now();
    try {
      await scenario.default({ vu, iteration, data, signal });
    } catch (error) {
      if (hardStop.signal.aborted) {
        interrupted.add(1);
      } else {
        const failure = toLoadError(error, signal);
        errors.add(1, { code: failure.code });
        const count = (printed.get(failure.code) ?? 0) + 1;
        printed.set(failure.code, count);
        if (count <= PRINTED_PER_CODE)
          log(`error ${failure.code} (vu ${vu}, iteration ${iteration}): ${failure.message}`);
      }
    } finally {
      iterations.add(1);
      iterationDuration.add(performance.now() - started);
    }
  };
}

function progress(log: (line: string) => void, started: number): () => void {
  const timer = setInterval(() => {
    const seconds = ((performance.now() - started) / 1000).toFixed(0);
    const errorCount = errors.summary().values.count;
    const open = streamsOpen.summary().values;
    log(
      `[${seconds.padStart(4)}s] iterations=${iterations.summary().values.count} open=${open.value} (max ${open.max}) errors=${errorCount}`,
    );
  }, 10_000);
  return () => clearInterval(timer);
}

/** Runs `scenario` and returns the exit code; the summary is printed and optionally exported. */
export async function runScenario<Data>(
  name: string,
  scenario: ScenarioModule<Data>,
  options: RunOptions = {},
): Promise<number> {
  const log = options.log ?? ((line: string) => console.error(line));
  const { executor } = scenario.options;
  log(`scenario ${name}: ${JSON.stringify(executor)} (at most ${maxDurationS(executor)} s)`);
  log(`settings ${JSON.stringify(scenario.settings ?? {})}`);
  const startedAt = new Date();
  const started = performance.now();
  const data = (await scenario.setup?.()) as Data;
  const hardStop = new AbortController();
  const stopProgress = progress(log, started);
  const counts = await execute(executor, iterationRunner(scenario, data, hardStop, log), hardStop);
  stopProgress();
  dropped.add(counts.dropped);
  await scenario.teardown?.(data);
  const metrics = summariseAll();
  const thresholds = evaluateThresholds(scenario.options.thresholds, metrics);
  const passed = thresholds.every((result) => result.ok);
  console.log(`\n  scenario: ${name}\n\n${formatSummary(metrics, thresholds)}\n`);
  if (options.summaryExport) {
    const summary = {
      scenario: name,
      startedAt: startedAt.toISOString(),
      durationMs: performance.now() - started,
      settings: scenario.settings ?? {},
      executor,
      metrics,
      thresholds,
      passed,
    };
    await Bun.write(options.summaryExport, `${JSON.stringify(summary, null, 2)}\n`);
  }
  if (!passed) log(`some thresholds have failed`);
  return passed ? EXIT_PASSED : EXIT_THRESHOLDS_FAILED;
}
