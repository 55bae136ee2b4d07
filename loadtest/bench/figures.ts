/**
 * The figures the bench keeps from one scenario run: latency percentiles, error and token
 * counts, CPU per relayed token, and how busy the load generator was.
 */
import type { ScenarioRun } from "./run-scenario.ts";

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

export interface RunFigures {
  scenario: string;
  exitCode: number;
  requests: number;
  errors: number;
  /** Error counts by code. */
  errorCodes: Record<string, number>;
  tokens: number;
  tokensPerSecond: number;
  ttft: Percentiles | undefined;
  itl: Percentiles | undefined;
  e2el: Percentiles | undefined;
  goodput: number | undefined;
  maxOpenStreams: number;
  /** CPU µs per relayed token, per process (the simulator: per token generated). */
  cpuPerToken: { app: number; nginx: number; simulator: number; generator: number };
  /** The generator's CPU over the run, and its busiest second, as shares of one core. */
  generatorCpu: { average: number; peak: number };
  /** The generator used ≥ 90% of a core in some second: its own latency may then be in the figures. */
  generatorSaturated: boolean;
  /** The scenario's thresholds that were not met, e.g. "sluice_goodput rate>=0.9 (0.84)". */
  failedThresholds: string[];
}

/** A core's share past which the single-threaded load generator is considered saturated. */
export const SATURATION_SHARE = 0.9;

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

function percentiles(run: ScenarioRun, metric: string): Percentiles | undefined {
  const values = run.summary?.metrics[metric]?.values;
  if (!values?.count) return undefined;
  return { p50: round(values.med ?? 0), p95: round(values["p(95)"] ?? 0), p99: round(values["p(99)"] ?? 0) };
}

function errorCodes(run: ScenarioRun): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const [tag, values] of Object.entries(run.summary?.metrics.sluice_errors?.tagged ?? {})) {
    codes[tag.replace(/^code:/, "")] = values.count ?? 0;
  }
  return codes;
}

/** Extracts the kept figures from a run. */
export function figuresOf(run: ScenarioRun): RunFigures {
  const metric = (name: string, key: string) => run.summary?.metrics[name]?.values[key] ?? 0;
  const tokens = metric("sluice_tokens", "count");
  const perToken = (micros: number) => (tokens ? round(micros / tokens) : 0);
  const peak = Math.max(0, ...run.samples.map((sample) => sample.generatorCpu));
  return {
    scenario: run.scenario,
    exitCode: run.exitCode,
    requests: metric("sluice_iterations", "count"),
    errors: metric("sluice_errors", "count"),
    errorCodes: errorCodes(run),
    tokens,
    tokensPerSecond: round(tokens / (run.wallMs / 1000), 1),
    ttft: percentiles(run, "sluice_ttft"),
    itl: percentiles(run, "sluice_itl"),
    e2el: percentiles(run, "sluice_e2el"),
    goodput: run.summary?.metrics.sluice_goodput ? round(metric("sluice_goodput", "rate"), 4) : undefined,
    maxOpenStreams: metric("sluice_streams_open", "max"),
    cpuPerToken: {
      app: perToken(run.cpu.app),
      nginx: perToken(run.cpu.nginx),
      simulator: perToken(run.cpu.simulator),
      generator: perToken(run.cpu.generator),
    },
    generatorCpu: { average: round(run.cpu.generator / (run.wallMs * 1000)), peak: round(peak) },
    generatorSaturated: peak >= SATURATION_SHARE,
    failedThresholds: (run.summary?.thresholds ?? [])
      .filter((result) => !result.ok)
      .map(
        (result) =>
          `${result.metric} ${result.expression} (${result.actual === undefined ? "no data" : round(result.actual)})`,
      ),
  };
}

/** gateway − direct for each percentile: the latency the path in between adds. */
export function overhead(through: Percentiles | undefined, direct: Percentiles | undefined): Percentiles | undefined {
  if (!through || !direct) return undefined;
  return {
    p50: round(through.p50 - direct.p50),
    p95: round(through.p95 - direct.p95),
    p99: round(through.p99 - direct.p99),
  };
}
