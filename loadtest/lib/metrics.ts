/**
 * k6-style custom metrics: Trend (a distribution), Rate (share of true), Counter (a sum) and
 * Gauge (last and highest value). Each may carry one tag (e.g. `code`), summarised per value.
 * Metrics register themselves on creation, as in k6, so a scenario declares them at the top.
 */
import { percentile, sortedAscending } from "../../harness/measure/percentile.ts";

export type Tags = Record<string, string>;

/** The summary of one series, in the shape of k6's `--summary-export` (times in ms). */
export type SeriesSummary = Record<string, number>;

export interface MetricSummary {
  type: "trend" | "rate" | "counter" | "gauge";
  values: SeriesSummary;
  /** Per tag value, e.g. `{ "code:http_503": {...} }`. */
  tagged?: Record<string, SeriesSummary>;
}

abstract class Metric<S> {
  readonly series = new Map<string, S>();

  constructor(readonly name: string) {
    registry.set(name, this as Metric<unknown>);
  }

  protected abstract empty(): S;
  abstract summarise(state: S): SeriesSummary;
  abstract get type(): MetricSummary["type"];

  protected states(tags?: Tags): S[] {
    const keys = [""];
    for (const [key, value] of Object.entries(tags ?? {})) keys.push(`${key}:${value}`);
    return keys.map((key) => {
      let state = this.series.get(key);
      if (state === undefined) {
        state = this.empty();
        this.series.set(key, state);
      }
      return state;
    });
  }

  /** The untagged total and each tagged series. */
  summary(): MetricSummary {
    const [all] = this.states();
    const tagged: Record<string, SeriesSummary> = {};
    for (const [key, state] of this.series) if (key !== "") tagged[key] = this.summarise(state);
    const summary: MetricSummary = { type: this.type, values: this.summarise(all as S) };
    if (Object.keys(tagged).length > 0) summary.tagged = tagged;
    return summary;
  }
}

/** Every metric created in this process, by name. */
export const registry = new Map<string, Metric<unknown>>();

/** A distribution: avg, min, med, max, p(90), p(95), p(99). */
export class Trend extends Metric<number[]> {
  get type() {
    return "trend" as const;
  }
  protected empty(): number[] {
    return [];
  }
  add(value: number, tags?: Tags): void {
    for (const values of this.states(tags)) values.push(value);
  }
  summarise(values: number[]): SeriesSummary {
    const list = sortedAscending(values);
    const sum = list.reduce((total, value) => total + value, 0);
    return {
      count: list.length,
      avg: list.length ? sum / list.length : 0,
      min: list[0] ?? 0,
      med: percentile(list, 50),
      max: list.at(-1) ?? 0,
      "p(90)": percentile(list, 90),
      "p(95)": percentile(list, 95),
      "p(99)": percentile(list, 99),
    };
  }
}

/** The share of additions that were true. */
export class Rate extends Metric<{ passes: number; total: number }> {
  get type() {
    return "rate" as const;
  }
  protected empty() {
    return { passes: 0, total: 0 };
  }
  add(ok: boolean, tags?: Tags): void {
    for (const state of this.states(tags)) {
      state.total += 1;
      if (ok) state.passes += 1;
    }
  }
  summarise(state: { passes: number; total: number }): SeriesSummary {
    const { passes, total } = state;
    return { rate: total ? passes / total : 0, passes, fails: total - passes, total };
  }
}

/** A running sum. */
export class Counter extends Metric<{ count: number }> {
  get type() {
    return "counter" as const;
  }
  protected empty() {
    return { count: 0 };
  }
  add(amount = 1, tags?: Tags): void {
    for (const state of this.states(tags)) state.count += amount;
  }
  summarise(state: { count: number }): SeriesSummary {
    return { count: state.count };
  }
}

/** The latest value, with the lowest and highest seen. */
export class Gauge extends Metric<{ value: number; min: number; max: number }> {
  get type() {
    return "gauge" as const;
  }
  protected empty() {
    return { value: 0, min: Number.POSITIVE_INFINITY, max: 0 };
  }
  set(value: number, tags?: Tags): void {
    for (const state of this.states(tags)) {
      state.value = value;
      state.min = Math.min(state.min, value);
      state.max = Math.max(state.max, value);
    }
  }
  summarise(state: { value: number; min: number; max: number }): SeriesSummary {
    return { value: state.value, min: Number.isFinite(state.min) ? state.min : 0, max: state.max };
  }
}

/** Every registered metric's summary, by name. */
export function summariseAll(): Record<string, MetricSummary> {
  const out: Record<string, MetricSummary> = {};
  for (const [name, metric] of registry) out[name] = metric.summary();
  return out;
}
