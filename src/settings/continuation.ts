/**
 * How Continue asks the model for the rest of a cut-off answer: shared by the server's settings
 * and the simulator, which recognises the instruction. Read by config.ts.
 */
import { choice, type Env, text } from "../env-values.ts";

/** How Continue asks the model for the rest of an answer (conversations/continuation.ts). */
export const CONTINUE_MODES = ["instruction", "prefill"] as const;

export interface ContinueSettings {
  /** `instruction`: the partial answer, then a user message asking to go on; `prefill`: the partial answer last. */
  mode: (typeof CONTINUE_MODES)[number];
  /** That user message. */
  instruction: string;
}

/** Short, and understood by any chat model; the simulator recognises it (src/simulator/script.ts). */
export const DEFAULT_CONTINUE_INSTRUCTION =
  "Continue your last answer exactly where it stopped, without repeating any of it.";

/** CONTINUE_MODE and CONTINUE_INSTRUCTION. */
export function loadContinueSettings(env: Env): ContinueSettings {
  return {
    // `instruction` works with every OpenAI-compatible server; `prefill` where the server goes on
    // from a final assistant message (llama.cpp, vLLM, Ollama), which reads more seamlessly.
    mode: choice(env, "CONTINUE_MODE", CONTINUE_MODES) ?? "instruction",
    instruction: text(env, "CONTINUE_INSTRUCTION", DEFAULT_CONTINUE_INSTRUCTION),
  };
}
