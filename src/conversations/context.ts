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

/** The images of a question with images (context-images.ts). */
export interface ContextImages {
  /** Sent with the question now; a question with images is never a retry. */
  sent: readonly ImageData[];
  /** Stored questions' images to send again, by message id (see questionsWithImagesToCarry). */
  stored: ReadonlyMap<string, readonly ImageData[]>;
}

const noImages: ContextImages = { sent: [], stored: new Map() };

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

/** Whether asking `question` now retries the failed answer the thread ends with (store.beginExchange). */
export function retriesLast(stored: readonly Message[], question: string, withImages = false): boolean {
  const [asked, answer] = stored.slice(-2);
  return (
    !withImages &&
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
export function expectedParent(stored: readonly Message[], question: string, withImages = false): string | null {
  const thread = retriesLast(stored, question, withImages) ? stored.slice(0, -2) : stored;
  return thread.at(-1)?.id ?? null;
}

/**
 * The messages for the model: the system prompt, the stored turns worth sending back (the user's,
 * and answers that produced text: a failed or interrupted one is left out, so the model never
 * reads its own half-sentence as meant), as many as fit, and the new question last. Questions
 * carry the images `images.stored` holds for them; a retry asks again with its stored images.
 */
export function assembleContext(
  stored: readonly Message[],
  question: string,
  settings: ContextSettings,
  images: ContextImages = noImages,
): AssembledContext {
  const retry = retriesLast(stored, question, images.sent.length > 0);
  const thread = retry ? stored.slice(0, -2) : stored;
  const turns: ModelMessage[] = thread
    .filter((m) => m.role === "user" || ((m.status === "complete" || m.status === "cancelled") && m.content !== ""))
    .map(({ id, role, content }) =>
      role === "user" ? withImageParts(content, images.stored.get(id)) : { role, content },
    );
  const system: ModelMessage[] = settings.systemPrompt ? [{ role: "system", content: settings.systemPrompt }] : [];
  const retried = retry ? images.stored.get(stored.at(-2)?.id ?? "") : undefined;
  const asked = withImageParts(question, retried ?? images.sent);
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
