/**
 * The built-in simulator's pacing, in the server (no UPSTREAM_BASE_URL) and standalone
 * (`npm run simulator`).
 */
import { type Env, integer, text } from "../env-values.ts";
import { DEFAULT_CONTINUE_INSTRUCTION } from "./continuation.ts";

export interface SimulatorSettings {
  /** Delay before the first token, unless a request says otherwise. */
  ttftMs: number;
  /** Pacing of the tokens after the first. */
  tokensPerSecond: number;
  /** Longest answer, unless a request asks for fewer. */
  maxTokens: number;
  /** The user message that asks for the rest of the answer before it (CONTINUE_INSTRUCTION, as Sluice sends it; default DEFAULT_CONTINUE_INSTRUCTION). */
  continueInstruction?: string;
}

export function loadSimulatorSettings(env: Env): SimulatorSettings {
  return {
    ttftMs: integer(env, "SIM_TTFT_MS", 200, 0, 600_000),
    tokensPerSecond: integer(env, "SIM_TOKENS_PER_SECOND", 30, 1, 100_000),
    maxTokens: integer(env, "SIM_MAX_TOKENS", 64, 1, 1_000_000),
    continueInstruction: text(env, "CONTINUE_INSTRUCTION", DEFAULT_CONTINUE_INSTRUCTION),
  };
}

/** The standalone simulator's settings (`npm run simulator`). */
export function loadSimulatorServerConfig(env: Env): { port: number; host: string; simulator: SimulatorSettings } {
  return {
    port: integer(env, "SIM_PORT", 3001, 0, 65_535),
    host: text(env, "SIM_HOST", "0.0.0.0"),
    simulator: loadSimulatorSettings(env),
  };
}
