/**
 * The rules of an exchange's writes, the same on every engine; each store applies them inside
 * its own transaction, where the rows it reads cannot change before it writes.
 */
import { ConversationBusyError } from "../errors.ts";
import { retriesExchange } from "./retry.ts";
import type { ConversationRow, MessageRow, NewMessage } from "./rows.ts";
import type { ExchangeEnd, ExchangeStart } from "./store.ts";

/** Whether an answer of the conversation is running (its exchange has begun and not finished). */
export function isAnswering(conversation: ConversationRow): boolean {
  return conversation.running_stream_id !== null;
}

/** Throws 409 `conversation_busy` while an answer of the conversation runs. */
export function refuseWhileAnswering(conversation: ConversationRow): void {
  // One exchange at a time: two at once would store their messages interleaved (Q Q A A).
  if (isAnswering(conversation)) throw new ConversationBusyError();
}

/**
 * The failed answer that `start` retries (retry.ts), which the store deletes instead of storing
 * the question again; `lastTwo` are the conversation's last two messages, newest first.
 */
export function answerRetriedBy(lastTwo: MessageRow[], start: ExchangeStart): MessageRow | undefined {
  const [answer, asked] = lastTwo;
  const withImages = (start.images?.length ?? 0) > 0;
  return retriesExchange(asked, answer, start.userContent, withImages) ? answer : undefined;
}

/** The question an exchange stores before its answer runs. */
export function questionOf(start: ExchangeStart): NewMessage {
  return { role: "user", content: start.userContent, status: "complete" };
}

/** The answer an exchange stores when it ends. */
export function answerOf(end: ExchangeEnd): NewMessage {
  const { content, status, error, figures } = end;
  return { role: "assistant", content, status, error, figures };
}

/** The answer of an exchange cut off by a previous process: the text of its last checkpoint. */
export function interruptedAnswer(checkpoint: string | null): NewMessage {
  return { role: "assistant", content: checkpoint ?? "", status: "interrupted" };
}
