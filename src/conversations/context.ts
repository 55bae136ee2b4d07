/**
 * What the model is sent for a new question in a stored conversation: assembled on the server
 * from the stored thread, so every device sends the model the same history, and a long
 * conversation never outgrows a request. Oldest turns are left out first when the thread passes
 * the model's window (estimated: about four characters per token, plus a few per message).
 */
import type { ChatMessage } from "../contract.ts";
import type { Message } from "./store.ts";

export interface ContextSettings {
  /** Sent first, when set (SYSTEM_PROMPT). */
  systemPrompt: string | undefined;
  /** The model's window, in estimated tokens (MAX_CONTEXT_TOKENS). */
  maxContextTokens: number;
}

export interface AssembledContext {
  messages: ChatMessage[];
  /** Earlier messages left out to fit the window. */
  dropped: number;
}

/** A rough token count: ~4 characters per token of English, plus the message's framing. */
export function estimateTokens(message: ChatMessage): number {
  return 4 + Math.ceil(message.content.length / 4);
}

/** Whether asking `question` now retries the failed answer the thread ends with (store.beginExchange). */
function retriesLast(stored: readonly Message[], question: string): boolean {
  const [asked, answer] = stored.slice(-2);
  return (
    answer?.role === "assistant" &&
    (answer.status === "error" || answer.status === "interrupted") &&
    asked?.role === "user" &&
    asked.content === question
  );
}

/**
 * The id of the message a client must have seen last to ask `question` now: the thread's last
 * message, or, for a retry, the one before the failed exchange. Null for an empty thread.
 */
export function expectedParent(stored: readonly Message[], question: string): string | null {
  const thread = retriesLast(stored, question) ? stored.slice(0, -2) : stored;
  return thread.at(-1)?.id ?? null;
}

/**
 * The messages for the model: the system prompt, the stored turns worth sending back (the user's,
 * and answers that produced text: a failed or interrupted one is left out, so the model never
 * reads its own half-sentence as meant), as many as fit, and the new question last.
 */
export function assembleContext(
  stored: readonly Message[],
  question: string,
  settings: ContextSettings,
): AssembledContext {
  const thread = retriesLast(stored, question) ? stored.slice(0, -2) : stored;
  const turns: ChatMessage[] = thread
    .filter((m) => m.role === "user" || ((m.status === "complete" || m.status === "cancelled") && m.content !== ""))
    .map(({ role, content }) => ({ role, content }));
  const system: ChatMessage[] = settings.systemPrompt ? [{ role: "system", content: settings.systemPrompt }] : [];
  const asked: ChatMessage = { role: "user", content: question };
  let budget = settings.maxContextTokens - [...system, asked].reduce((sum, m) => sum + estimateTokens(m), 0);
  // Newest first, as many turns as fit; `first` ends as the oldest one kept.
  let first = turns.length;
  while (first > 0) {
    const cost = estimateTokens(turns[first - 1] as ChatMessage);
    if (cost > budget) break;
    budget -= cost;
    first--;
  }
  return { messages: [...system, ...turns.slice(first), asked], dropped: first };
}
