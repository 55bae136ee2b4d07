/**
 * What the model is sent for a new question in a stored conversation: assembled on the server
 * from the stored thread, so every device sends the model the same history, and a long
 * conversation never outgrows a request. Oldest turns are left out first when the thread passes
 * the model's window (estimated: about four characters per token, plus a few per message).
 */
import type { ModelMessage } from "../contract.ts";
import { IMAGE_TOKENS, type ImageData, withImageParts } from "./context-images.ts";
import type { Message } from "./store.ts";

export interface ContextSettings {
  /** Sent first, when set (SYSTEM_PROMPT). */
  systemPrompt: string | undefined;
  /** The model's window, in estimated tokens (MAX_CONTEXT_TOKENS). */
  maxContextTokens: number;
}

/** The new question as the model gets it: its text, and the images it is asked with. */
export interface AskedQuestion {
  text: string;
  images: readonly ImageData[];
}

export interface AssembledContext {
  messages: ModelMessage[];
  /** Earlier messages left out to fit the window. */
  dropped: number;
}

/** A rough token count: ~4 characters per token of English, plus the message's framing. */
export function estimateTokens(message: ModelMessage): number {
  if (typeof message.content === "string") return 4 + Math.ceil(message.content.length / 4);
  return message.content.reduce(
    (sum, part) => sum + (part.type === "text" ? Math.ceil(part.text.length / 4) : IMAGE_TOKENS),
    4,
  );
}

/**
 * The messages for the model: the system prompt, the stored turns worth sending back (the user's,
 * and answers that produced text: a failed or interrupted one is left out, so the model never
 * reads its own half-sentence as meant), as many as fit, and the new question last. Questions
 * carry the images `carried` holds for them (context-images.ts).
 */
export function assembleContext(
  history: readonly Message[],
  question: AskedQuestion,
  settings: ContextSettings,
  carried: ReadonlyMap<string, readonly ImageData[]> = new Map(),
): AssembledContext {
  const turns: ModelMessage[] = history
    .filter((m) => m.role === "user" || ((m.status === "complete" || m.status === "cancelled") && m.content !== ""))
    .map(({ id, role, content }) => (role === "user" ? withImageParts(content, carried.get(id)) : { role, content }));
  const system: ModelMessage[] = settings.systemPrompt ? [{ role: "system", content: settings.systemPrompt }] : [];
  const asked = withImageParts(question.text, question.images);
  let budget = settings.maxContextTokens - [...system, asked].reduce((sum, m) => sum + estimateTokens(m), 0);
  // Newest first, as many turns as fit; `first` ends as the oldest one kept.
  let first = turns.length;
  while (first > 0) {
    const cost = estimateTokens(turns[first - 1] as ModelMessage);
    if (cost > budget) break;
    budget -= cost;
    first--;
  }
  return { messages: [...system, ...turns.slice(first), asked], dropped: first };
}
