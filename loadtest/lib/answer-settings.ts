/**
 * The simulated answer a scenario asks for (sent in the `/sim` line, so the expected token count
 * is known) and the goodput targets derived from its pacing: one list of settings, shared by
 * every scenario that streams answers.
 */

import type { SimDirectives } from "../../harness/client/sim-prompt.ts";
import { numberSetting } from "./settings.ts";
import type { Targets } from "./stream-metrics.ts";
import type { Thresholds } from "./thresholds.ts";

export interface PacingDefaults {
  tokens: number;
  ttftMs: number;
  tps: number;
}

export interface AnswerDefaults extends PacingDefaults {
  /** Goodput allows the first token this much later than the simulator's own delay. */
  ttftMarginMs: number;
  /** Goodput allows each gap this much longer than the simulator's pacing. */
  itlMarginMs: number;
}

/** Short, brisk answers: latency scenarios. */
export const BRISK_ANSWER: AnswerDefaults = { tokens: 32, ttftMs: 100, tps: 30, ttftMarginMs: 500, itlMarginMs: 200 };

/** Reads the answer's shape from the environment, each defaulting to `defaults`. */
export function pacingSettings(defaults: PacingDefaults) {
  // Content tokens per answer (sent in the `/sim tokens=` line, so the expected count is known)
  const TOKENS = numberSetting("TOKENS", defaults.tokens);
  // Simulator delay before the first token, ms (`/sim ttft_ms=`)
  const SIM_TTFT_MS = numberSetting("SIM_TTFT_MS", defaults.ttftMs);
  // Simulator pacing after the first token, tokens per second (`/sim tps=`)
  const SIM_TPS = numberSetting("SIM_TPS", defaults.tps);
  return { TOKENS, SIM_TTFT_MS, SIM_TPS };
}

/** Reads the answer settings and the goodput targets from the environment, each defaulting to `defaults`. */
export function answerSettings(defaults: AnswerDefaults = BRISK_ANSWER) {
  const { TOKENS, SIM_TTFT_MS, SIM_TPS } = pacingSettings(defaults);
  // Goodput: an answer is good when its first token came within this many ms …
  const TARGET_TTFT_MS = numberSetting("TARGET_TTFT_MS", SIM_TTFT_MS + defaults.ttftMarginMs);
  // … and no gap between two tokens exceeded this many ms
  const TARGET_ITL_MS = numberSetting("TARGET_ITL_MS", Math.round(1000 / SIM_TPS) + defaults.itlMarginMs);
  return { TOKENS, SIM_TTFT_MS, SIM_TPS, TARGET_TTFT_MS, TARGET_ITL_MS };
}

export type AnswerSettings = ReturnType<typeof answerSettings>;
export type PacingSettings = ReturnType<typeof pacingSettings>;

/** The `/sim` directives that ask the simulator for this answer. */
export function directivesOf(pacing: PacingSettings): SimDirectives {
  return { tokens: pacing.TOKENS, ttftMs: pacing.SIM_TTFT_MS, tps: pacing.SIM_TPS };
}

/** The goodput targets of this answer. */
export function targetsOf(answer: AnswerSettings): Targets {
  return { ttftMs: answer.TARGET_TTFT_MS, itlMs: answer.TARGET_ITL_MS };
}

/** No error, every token delivered, and at least `minGoodput` of the answers good. */
export function answerThresholds(minGoodput: number): Thresholds {
  return {
    sluice_errors: ["count==0"],
    sluice_tokens_complete: ["rate==1"],
    sluice_goodput: [`rate>=${minGoodput}`],
  };
}
