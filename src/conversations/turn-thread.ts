/**
 * Where a new question goes in a stored conversation, decided from the messages alone (turn.ts
 * does the reading and writing around it):
 * - **Ask**: after the whole thread, whose last message must be the one the client saw.
 * - **Retry** (retry.ts): the same question again after its failed answer, which it replaces.
 * - **Regenerate** and **Edit** (`replace`): after `parentId`, replacing every later message;
 *   Regenerate asks the replaced question again, Edit asks a new one.
 * A client acting on a view of the conversation that has moved on elsewhere (another device, a
 * second tab) gets 409 `conversation_moved`, so it reloads instead of answering the wrong thread.
 */
import { ConversationMovedError, ValidationError } from "../errors.ts";
import { retriesExchange } from "./retry.ts";
import type { Message } from "./store.ts";

/** What a client asks of a conversation, as the turn reads it. */
export interface TurnPosition {
  /** The last message the client has seen (null: none), or with `replace`, the one to answer after. */
  parentId?: string | null | undefined;
  /** Regenerate or Edit: every message after `parentId` is replaced by the new question and its answer. */
  replace?: boolean | undefined;
}

/** The stored messages a question follows. */
export interface ThreadToAnswer {
  /** Oldest first; with `replace`, only those up to `parentId`. */
  thread: Message[];
  /** With `replace`: the message every later one is removed after (null: all of them). */
  replaceAfter?: string | null;
  /** With `replace`: the stored message right after `parentId` (for Regenerate, the question asked again). */
  replaced?: Message | undefined;
}

/** The question's place once its images are known. */
export interface QuestionPlace {
  /** The stored turns the model reads before the question, oldest first. */
  history: Message[];
  /** For a retry: the stored question asked again, which keeps its images. */
  retried: Message | undefined;
}

/** Where `question` (sent with images or not) goes after `thread`: a retry leaves out the exchange it replaces. */
export function placeQuestion(thread: Message[], question: string, withImages: boolean): QuestionPlace {
  const [asked, answer] = thread.slice(-2);
  if (!retriesExchange(asked, answer, question, withImages)) return { history: thread, retried: undefined };
  return { history: thread.slice(0, -2), retried: asked };
}

/**
 * The id of the message a client must have seen last to ask `question` now: the thread's last
 * message, or, for a retry, the one before the failed exchange. Null for an empty thread.
 */
export function expectedParent(stored: Message[], question: string, withImages = false): string | null {
  return placeQuestion(stored, question, withImages).history.at(-1)?.id ?? null;
}

/**
 * The stored turns `question` follows. Normally the whole thread, whose last message must be the
 * one the client saw (`parentId`, when given); with `replace`, the thread up to `parentId`.
 */
export function threadToAnswer(
  stored: Message[],
  question: string,
  withImages: boolean,
  position: TurnPosition,
): ThreadToAnswer {
  const { parentId } = position;
  if (!position.replace) {
    if (parentId !== undefined && parentId !== expectedParent(stored, question, withImages))
      throw new ConversationMovedError();
    return { thread: stored };
  }
  if (parentId === undefined) throw new ValidationError("parentId", "is required to replace later messages");
  const index = parentId === null ? -1 : stored.findIndex((message) => message.id === parentId);
  if (parentId !== null && index < 0) throw new ConversationMovedError();
  return { thread: stored.slice(0, index + 1), replaceAfter: parentId, replaced: stored[index + 1] };
}
