/**
 * After an answer ends on the page, the server stores it (under a new id, or appended to the
 * answer a Continue extends) a moment later. The page reads it back then, with its siblings, so
 * the fresh answer has its id and its place in the tree: Regenerate, Edit, Continue and `< n/m >`
 * work on it at once, without a reload.
 */
import { api, type Conversation, type PathMessage } from "./api.ts";

// The answer is stored as its generation ends: usually at the first read, else a few reads later.
const ATTEMPTS = 15;
const PAUSE_MS = 150;

/** The answer a read found stored, and the read (its messages go into the page's tree). */
export interface StoredAnswer {
  read: Conversation;
  answer: PathMessage;
}

/**
 * The answer stream `streamId` wrote in conversation `conversationId`, once stored: the newest
 * answer under question `questionId`, or with `continues`, that answer. Undefined when the server
 * does not have it after a while (the page then shows what it has until the next read).
 */
export async function storedAnswer(
  conversationId: string,
  streamId: string,
  place: { questionId: string; continues?: string | undefined },
): Promise<StoredAnswer | undefined> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    // The path through the question down to its newest leaf: the question, then its newest answer
    // (a Continue's answer may be an older one: the path through it, which nothing follows).
    const leaf = place.continues ?? place.questionId;
    const read = await api.readPath(conversationId, { leaf, limit: 2 }).catch(() => undefined);
    if (!read) return undefined;
    if (read.running_stream_id === streamId) continue;
    const at = read.messages.findIndex((message) => message.id === place.questionId);
    const answer = place.continues
      ? read.messages.find((message) => message.id === place.continues)
      : read.messages[at + 1];
    if (at < 0 || answer?.role !== "assistant") return undefined;
    return { read, answer };
  }
  return undefined;
}
