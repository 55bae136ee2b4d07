/**
 * The shape of a scenario module, as in a k6 script: `options` (executor and thresholds),
 * `settings` (the values read from the environment, echoed in the summary), an optional
 * `setup()` whose result every iteration receives, the default export run per iteration,
 * and an optional `teardown(data)` that may record more metrics before the summary.
 */
import type { Executor } from "./executors.ts";
import type { Thresholds } from "./thresholds.ts";

export interface ScenarioOptions {
  executor: Executor;
  thresholds: Thresholds;
  /** One iteration is aborted (and counted as error `timeout`) past this. */
  iterationTimeoutMs: number;
}

export interface IterationContext<Data = unknown> {
  /** The virtual user running this iteration (0-based). */
  vu: number;
  /** Its iteration number (0-based, per VU; the arrival-rate executor numbers all starts). */
  iteration: number;
  data: Data;
  /** Aborted at the iteration timeout or when the scenario's time is up. */
  signal: AbortSignal;
}

export interface ScenarioModule<Data = unknown> {
  options: ScenarioOptions;
  settings?: Record<string, unknown>;
  setup?: () => Promise<Data>;
  default: (context: IterationContext<Data>) => Promise<void>;
  teardown?: (data: Data) => Promise<void>;
}
