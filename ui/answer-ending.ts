/**
 * How an answer ended, in plain words beside its figures, and whether it can be continued: an
 * answer cut off at the output limit, stopped, interrupted, or failed after some text can go on
 * (Continue appends to it in place), by the server's own rule (conversations/continuation.ts).
 */
import type { FinishReason } from "../src/contract.ts";
import { canContinue } from "../src/conversations/continuation.ts";
import type { Message } from "./api.ts";

/** The words an answer's figures start with, if its end needs saying. */
export function endingWords(status: Message["status"], finishReason: FinishReason | undefined): string | undefined {
  if (status === "cancelled") return "Stopped";
  if (finishReason === "length") return "Cut off at the output limit";
  return undefined;
}

/** Whether `answer` (a stored one) ended before it was done, so Continue can extend it. */
export function continuable(answer: Message): boolean {
  return canContinue(answer, answer.figures?.finish_reason);
}
