/**
 * Continue: an answer cut off (at the output limit, by Stop, by a restart or by a failure after
 * some text) can be extended by a new generation whose text is appended to it in place. The model
 * is sent the path up to the answer's question, then the partial answer, then, depending on the
 * upstream's convention (CONTINUE_MODE):
 * - `instruction` (the default, which every OpenAI-compatible server understands): a short user
 *   message asking to go on (CONTINUE_INSTRUCTION);
 * - `prefill`: nothing more, so the partial answer is the last message: servers that continue a
 *   final assistant message (llama.cpp, vLLM with `continue_final_message`, Ollama) go on from it.
 */

import type { FinishReason, ModelMessage } from "../contract.ts";
import { ValidationError } from "../errors.ts";
import type { ContinueSettings } from "../settings/continuation.ts";
import type { Message } from "./store.ts";

export type { ContinueSettings };

/** What the rule reads of an answer, stored or as a row. */
export type ContinueCandidate = Pick<Message, "role" | "status" | "content">;

/**
 * Whether `answer` can be continued: an answer that ended at the output limit, was stopped, was
 * interrupted, or failed after some text. A complete answer that ended by itself has nothing to add.
 */
export function canContinue(answer: ContinueCandidate, finishReason: FinishReason | null | undefined): boolean {
  if (answer.role !== "assistant") return false;
  if (answer.status === "cancelled" || answer.status === "interrupted") return true;
  if (answer.status === "error") return answer.content !== "";
  return finishReason === "length";
}

/** Throws 400 naming `continue` unless {@link canContinue}. */
export function refuseUnlessContinuable(
  answer: ContinueCandidate,
  finishReason: FinishReason | null | undefined,
): void {
  if (!canContinue(answer, finishReason))
    throw new ValidationError("continue", "must be an answer cut off at the output limit, stopped or interrupted");
}

/** What the model is sent after the question: the partial answer, and the instruction in that mode. */
export function continuationTail(partial: string, settings: ContinueSettings): ModelMessage[] {
  const answer: ModelMessage = { role: "assistant", content: partial };
  return settings.mode === "prefill" ? [answer] : [answer, { role: "user", content: settings.instruction }];
}
