/**
 * Retry: asking the same question again right after its answer failed (an error, or a shutdown
 * that cut it off) answers that question again instead of repeating it. The turn reads the rule
 * to build the model's context and to know which view the client must have had; each store reads
 * it again inside the exchange's transaction, where it replaces the failed answer.
 */
import type { Message } from "./store.ts";

/** What the rule reads of a stored message, or of its row. */
export type RetryCandidate = Pick<Message, "role" | "status" | "content">;

/**
 * Whether asking `question` now retries the exchange `asked` → `answer` (the last two stored
 * messages). A question sent with images or documents of its own is a new one, never a retry: a
 * retry keeps the stored question with its attachments.
 */
export function retriesExchange(
  asked: RetryCandidate | undefined,
  answer: RetryCandidate | undefined,
  question: string,
  withAttachments: boolean,
): boolean {
  return (
    !withAttachments &&
    answer?.role === "assistant" &&
    (answer.status === "error" || answer.status === "interrupted") &&
    asked?.role === "user" &&
    asked.content === question
  );
}
