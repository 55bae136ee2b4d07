/**
 * Pass/fail criteria in k6's threshold syntax: `{ sluice_ttft: ["p(95)<1500"], sluice_errors: ["count==0"] }`.
 * A failed threshold fails the run (exit code 99, as k6).
 */
import type { MetricSummary } from "./metrics.ts";

export type Thresholds = Record<string, string[]>;

export interface ThresholdResult {
  metric: string;
  expression: string;
  /** The statistic's value in this run (undefined: the metric was never recorded). */
  actual: number | undefined;
  ok: boolean;
}

/** A threshold that cannot be parsed; names the expression. */
export class ThresholdSyntaxError extends Error {
  override name = "ThresholdSyntaxError";
  readonly code = "bad_threshold";
}

const pattern = /^\s*(avg|min|med|max|count|rate|value|p\(\d+(?:\.\d+)?\))\s*(<=|>=|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;

const compare: Record<string, (a: number, b: number) => boolean> = {
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  "==": (a, b) => a === b,
  "!=": (a, b) => a !== b,
};

/** The statistic, or undefined when the metric has no samples (a counter that never fired counted 0). */
function statisticOf(summary: MetricSummary | undefined, statistic: string): number | undefined {
  if (statistic === "count") return summary?.values.count ?? 0;
  if (!summary) return undefined;
  const samples = summary.type === "trend" ? summary.values.count : summary.type === "rate" ? summary.values.total : 1;
  return samples ? summary.values[statistic] : undefined;
}

/** Evaluates every threshold against the summaries; an unrecorded metric fails, except `count==0`. */
export function evaluateThresholds(thresholds: Thresholds, metrics: Record<string, MetricSummary>): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const [metric, expressions] of Object.entries(thresholds)) {
    for (const expression of expressions) {
      const match = pattern.exec(expression);
      if (!match) throw new ThresholdSyntaxError(`${metric}: cannot read threshold "${expression}"`);
      const [, statistic = "", operator = "", limit = ""] = match;
      const actual = statisticOf(metrics[metric], statistic);
      const ok =
        actual !== undefined && (compare[operator] as (a: number, b: number) => boolean)(actual, Number(limit));
      results.push({ metric, expression, actual, ok });
    }
  }
  return results;
}
