/**
 * What the model is sent for a new question in a stored conversation: assembled on the server
 * from the stored thread, so every device sends the model the same history, and a long
 * conversation never outgrows a request. Oldest turns are left out first when the thread passes
 * the model's window (estimated: about four characters per token, plus a few per message).
 */
import type { ModelMessage } from "../contract.ts";
import { estimateTokens } from "../usage/estimate.ts";
import { type ImageData, withImageParts } from "./context-images.ts";
import type { Message } from "./store.ts";
import type { TreeNode } from "./tree.ts";

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
  /** The ids of the stored messages that were sent (those of `history` that fit), oldest first. */
  sentIds: string[];
}

export { estimateTokens };

/** Whether a stored message goes back to the model: the user's, and answers that produced text. */
function sendsBack(message: Pick<Message, "role" | "status">, hasText: boolean): boolean {
  return message.role === "user" || ((message.status === "complete" || message.status === "cancelled") && hasText);
}

/**
 * Where the part of `path` (root first) that can reach the model starts, known from sizes alone:
 * each message costs at least its framing and a token per 12 bytes (a UTF-16 unit is at most 3
 * bytes of UTF-8), so once the newer ones' least cost passes the window, no older one can be sent
 * and the turn need not load it. The last `keep` are always kept (the turn's own rules read them).
 */
export function firstThatMayFit(path: readonly TreeNode[], maxTokens: number, keep = 3): number {
  let budget = maxTokens;
  for (let i = path.length - 1; i >= 0; i--) {
    const node = path[i] as TreeNode;
    if (sendsBack(node, node.bytes > 0)) budget -= 4 + Math.ceil(node.bytes / 12);
    if (budget < 0 && i < path.length - keep) return i + 1;
  }
  return 0;
}

/** How many of `nodes` would go back to the model, were there room: what leaving them out drops. */
export function sentBackCount(nodes: readonly TreeNode[]): number {
  return nodes.filter((node) => sendsBack(node, node.bytes > 0)).length;
}

/**
 * The messages for the model: the system prompt, the stored turns worth sending back (the user's,
 * and answers that produced text: a failed or interrupted one is left out, so the model never
 * reads its own half-sentence as meant), as many as fit, and the new question last, followed by
 * `tail` (Continue's partial answer, continuation.ts). Questions carry the images `carried` holds
 * for them (context-images.ts); their documents are in their text already (context-documents.ts).
 */
export function assembleContext(
  history: readonly Message[],
  question: AskedQuestion,
  settings: ContextSettings,
  carried: ReadonlyMap<string, readonly ImageData[]> = new Map(),
  tail: readonly ModelMessage[] = [],
): AssembledContext {
  const sentBack = history.filter((m) => sendsBack(m, m.content !== ""));
  const turns: ModelMessage[] = sentBack.map(({ id, role, content }) =>
    role === "user" ? withImageParts(content, carried.get(id)) : { role, content },
  );
  const system: ModelMessage[] = settings.systemPrompt ? [{ role: "system", content: settings.systemPrompt }] : [];
  const asked = withImageParts(question.text, question.images);
  let budget = settings.maxContextTokens - [...system, asked, ...tail].reduce((sum, m) => sum + estimateTokens(m), 0);
  // Newest first, as many turns as fit; `first` ends as the oldest one kept.
  let first = turns.length;
  while (first > 0) {
    const cost = estimateTokens(turns[first - 1] as ModelMessage);
    if (cost > budget) break;
    budget -= cost;
    first--;
  }
  return {
    messages: [...system, ...turns.slice(first), asked, ...tail],
    dropped: first,
    sentIds: sentBack.slice(first).map((m) => m.id),
  };
}
