/** What the model is sent as the conversation so far. */
import type { ChatMessage, Message } from "./api.ts";

/**
 * The messages worth sending back to the model: the user's, and answers that produced text.
 * Failed or interrupted answers are left out: the model should not read its own half-sentence
 * as something it meant to say. A stopped answer stays: the user saw it and may refer to it.
 */
export function toHistory(messages: readonly Message[]): ChatMessage[] {
  return messages
    .filter((m) => m.role !== "assistant" || ((m.status === "complete" || m.status === "cancelled") && m.content))
    .map(({ role, content }) => ({ role, content }));
}

let localCount = 0;

/** A message kept on the page until the next load from the server replaces it. */
export function localMessage(fields: Pick<Message, "role" | "content" | "status" | "error">): Message {
  // A counter, not crypto.randomUUID(): that exists only in secure contexts, and the page may be
  // opened over plain http on a LAN address.
  return { id: `local-${++localCount}`, created_at: new Date().toISOString(), ...fields };
}
