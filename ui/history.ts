/** Messages on the page, and which of them the server knows. */
import { api, type Message } from "./api.ts";

/**
 * The last message the page has seen, for the server to check that nobody moved the conversation
 * on meanwhile: null before the first, undefined (no check) while the last one is still a local
 * copy whose server id the page has not learnt yet.
 */
export function lastSeenId(messages: readonly Message[]): string | null | undefined {
  const last = messages.at(-1);
  if (!last) return null;
  return last.id.startsWith("local-") ? undefined : last.id;
}

let localCount = 0;

/** A message kept on the page until the next load from the server replaces it. */
export function localMessage(fields: Pick<Message, "role" | "content" | "status" | "error">): Message {
  // A counter, not crypto.randomUUID(): that exists only in secure contexts, and the page may be
  // opened over plain http on a LAN address.
  return { id: `local-${++localCount}`, created_at: new Date().toISOString(), ...fields };
}

/**
 * The conversation as stored once its answer is written and it holds `length` messages, asked a
 * few times while the server finishes storing; undefined if it never gets there.
 */
export async function storedThread(id: string, length: number): Promise<Message[] | undefined> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const stored = await api.getConversation(id).catch(() => undefined);
    if (!stored) return undefined;
    if (stored.running_stream_id === null && stored.messages.length === length) return stored.messages;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return undefined;
}
