/**
 * A client of an API dialect goes on the moment its stream ends (the AI SDK sends the next
 * message, a Responses client names the answer as `previous_response_id`), while the answer is
 * stored a few milliseconds after its generation's end. Before such a turn, a conversation whose
 * running answer has ended but is not stored yet is given that moment, rather than refused with
 * 409 `conversation_busy`, which stays the answer while the answer really runs.
 */
import type { ConversationStore } from "../conversations/store.ts";
import type { GenerationDirectory } from "../generation/view.ts";

// Storing an answer is one transaction, retried while the store is locked elsewhere (record.ts).
const STORE_WAIT_MS = 5_000;
const POLL_MS = 20;

/** Resolves once `conversationId` has no ended-but-unstored answer, or the bound has passed. */
export async function untilAnswerStored(
  store: ConversationStore,
  generations: GenerationDirectory,
  owner: string,
  conversationId: string,
): Promise<void> {
  const deadline = performance.now() + STORE_WAIT_MS;
  for (;;) {
    const running = (await store.get(owner, conversationId, { limit: 1 }))?.running_stream_id;
    const generation = running ? await generations.find(running, owner) : undefined;
    // Nothing running, an answer that really runs, or one no instance holds: the turn decides.
    if (!generation?.ended || performance.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
