/**
 * How iterations are scheduled, after k6's executors of the same names. Every executor ends by
 * itself: after its duration it waits `gracefulStopS` for iterations in flight, then aborts them.
 */

export interface Stage {
  durationS: number;
  /** Concurrent virtual users at the end of the stage (linear ramp from the previous target). */
  target: number;
}

export type Executor =
  /** Start `rate` iterations per second for `durationS`, at most `maxInFlight` at once (the rest are dropped). */
  | { type: "constant-arrival-rate"; rate: number; durationS: number; maxInFlight: number; gracefulStopS: number }
  /** Virtual users that loop iterations; their number follows `stages`. */
  | { type: "ramping-vus"; stages: Stage[]; gracefulStopS: number }
  /** `vus` users, each running `iterations` iterations, all done within `maxDurationS`. */
  | { type: "per-vu-iterations"; vus: number; iterations: number; maxDurationS: number; gracefulStopS: number };

/** Runs one iteration; must not reject (the runner's wrapper records failures). */
export type Iterate = (vu: number, iteration: number) => Promise<void>;

export interface ExecutionCounts {
  started: number;
  /** Arrival-rate iterations not started because `maxInFlight` were already running. */
  dropped: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** Waits for the stragglers up to the grace, then fires `hardStop` and waits for them to unwind. */
async function finish(inFlight: Set<Promise<void>>, gracefulStopS: number, hardStop: AbortController) {
  const all = () => Promise.all([...inFlight]);
  await Promise.race([all(), sleep(gracefulStopS * 1000)]);
  hardStop.abort(new DOMException("the scenario's time is up", "AbortError"));
  await all();
}

async function constantArrivalRate(
  executor: Extract<Executor, { type: "constant-arrival-rate" }>,
  iterate: Iterate,
  hardStop: AbortController,
): Promise<ExecutionCounts> {
  const counts = { started: 0, dropped: 0 };
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  const interval = 1000 / executor.rate;
  for (let i = 0; ; i++) {
    const due = start + i * interval;
    if (due >= start + executor.durationS * 1000) break;
    await sleep(due - performance.now());
    if (inFlight.size >= executor.maxInFlight) {
      counts.dropped += 1;
      continue;
    }
    const running: Promise<void> = iterate(i % executor.maxInFlight, i).finally(() => inFlight.delete(running));
    inFlight.add(running);
    counts.started += 1;
  }
  await finish(inFlight, executor.gracefulStopS, hardStop);
  return counts;
}

/** The VU target at `elapsedS` into the stages (linear within each stage, from 0). */
export function stageTarget(stages: readonly Stage[], elapsedS: number): number {
  let from = 0;
  let t = elapsedS;
  for (const stage of stages) {
    if (t <= stage.durationS) {
      return stage.durationS === 0 ? stage.target : from + (stage.target - from) * (t / stage.durationS);
    }
    t -= stage.durationS;
    from = stage.target;
  }
  return from;
}

async function rampingVus(
  executor: Extract<Executor, { type: "ramping-vus" }>,
  iterate: Iterate,
  hardStop: AbortController,
): Promise<ExecutionCounts> {
  const counts = { started: 0, dropped: 0 };
  const running = new Map<number, Promise<void>>();
  const totalS = executor.stages.reduce((sum, stage) => sum + stage.durationS, 0);
  const start = performance.now();
  let target = 0;
  let ended = false;
  const user = async (vu: number) => {
    for (let i = 0; !ended && vu < target; i++) {
      counts.started += 1;
      await iterate(vu, i);
    }
    running.delete(vu);
  };
  for (;;) {
    const elapsedS = (performance.now() - start) / 1000;
    target = Math.round(stageTarget(executor.stages, Math.min(elapsedS, totalS)));
    for (let vu = 0; vu < target; vu++) if (!running.has(vu)) running.set(vu, user(vu));
    if (elapsedS >= totalS) break;
    await sleep(50);
  }
  ended = true;
  await finish(new Set(running.values()), executor.gracefulStopS, hardStop);
  return counts;
}

async function perVuIterations(
  executor: Extract<Executor, { type: "per-vu-iterations" }>,
  iterate: Iterate,
  hardStop: AbortController,
): Promise<ExecutionCounts> {
  const counts = { started: 0, dropped: 0 };
  const user = async (vu: number) => {
    for (let i = 0; i < executor.iterations && !hardStop.signal.aborted; i++) {
      counts.started += 1;
      await iterate(vu, i);
    }
  };
  const users = new Set(Array.from({ length: executor.vus }, (_, vu) => user(vu)));
  await Promise.race([Promise.all(users), sleep(executor.maxDurationS * 1000)]);
  await finish(users, executor.gracefulStopS, hardStop);
  return counts;
}

/** Runs the executor to its end; `hardStop` is aborted when the grace after its duration runs out. */
export function execute(executor: Executor, iterate: Iterate, hardStop: AbortController): Promise<ExecutionCounts> {
  switch (executor.type) {
    case "constant-arrival-rate":
      return constantArrivalRate(executor, iterate, hardStop);
    case "ramping-vus":
      return rampingVus(executor, iterate, hardStop);
    case "per-vu-iterations":
      return perVuIterations(executor, iterate, hardStop);
  }
}

/** The longest an executor can run, grace included (for outer time bounds). */
export function maxDurationS(executor: Executor): number {
  switch (executor.type) {
    case "constant-arrival-rate":
      return executor.durationS + executor.gracefulStopS;
    case "ramping-vus":
      return executor.stages.reduce((sum, stage) => sum + stage.durationS, 0) + executor.gracefulStopS;
    case "per-vu-iterations":
      return executor.maxDurationS + executor.gracefulStopS;
  }
}
