/**
 * What `npm run bench` runs, full or `--quick`: the latency levels, the stream-holding ladder and
 * the Stop measurement, with the pacing the simulator is asked for in each.
 */

export interface BenchPlan {
  quick: boolean;
  /** Concurrent users for the direct / gateway / chat latency runs. */
  levels: number[];
  /** Seconds each latency run lasts after its ramp. */
  latencyDurationS: number;
  /** Answer shape of the latency runs (sent in the `/sim` line). */
  latency: { TOKENS: string; SIM_TTFT_MS: string; SIM_TPS: string };
  /** Targets of the `streams` ladder, climbed until one is not held with zero errors. */
  holdTargets: number[];
  hold: { RAMP_S: string; HOLD_S: string; TOKENS: string; SIM_TPS: string };
  stopClients: number;
}

/** Users join over this many seconds: a thousand streams opened in one instant measure the herd, not the path. */
export function rampSeconds(concurrency: number): number {
  return Math.min(10, Math.ceil(concurrency / 200));
}

/** The full plan (about 15 minutes on 2 cores) or the quick one (about 2). */
export function benchPlan(quick: boolean): BenchPlan {
  return {
    quick,
    levels: [1, 100, 1000],
    latencyDurationS: quick ? 5 : 30,
    // 2 s answers at 20 tokens/s: 1,000 streams relay 20,000 tokens per second.
    latency: { TOKENS: "40", SIM_TTFT_MS: "100", SIM_TPS: "20" },
    holdTargets: quick ? [1000] : [1000, 2000, 4000, 8000],
    // Slow answers (10 s or 20 s each) keep every user's stream open almost all the time.
    hold: quick
      ? { RAMP_S: "5", HOLD_S: "6", TOKENS: "20", SIM_TPS: "2" }
      : { RAMP_S: "30", HOLD_S: "30", TOKENS: "40", SIM_TPS: "2" },
    stopClients: quick ? 50 : 200,
  };
}
