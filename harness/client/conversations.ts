/**
 * Stored conversations over HTTP: create one, ask in it, wait for its answer to be stored, read
 * it back.
 */
import { type CallOptions, callJson, ResponseError } from "./api.ts";
import { waitUntil } from "./poll.ts";

export interface StoredMessage {
  id: string;
  /** The message it follows in the conversation's tree; null for a first question. */
  parent_id: string | null;
  role: string;
  content: string;
  status: string;
  error?: { code: string; message: string; retryable: boolean };
  /** An answer's figures from its generation's `done` event, and the model that wrote it. */
  figures?: { ttft_ms: number | null; total_ms: number; completion_tokens: number; finish_reason: string };
  model?: string;
  /** What an answer cost: the model's usage, or Sluice's estimate (`estimated`). */
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number; estimated?: true };
  /** It and the other messages under its parent, oldest first; its 1-based place among them. */
  sibling_ids: string[];
  sibling_position: number;
  sibling_count: number;
}

export interface StoredConversation {
  id: string;
  title: string | null;
  /** The path read: the current branch, root first (or the window of it asked for). */
  messages: StoredMessage[];
  running_stream_id: string | null;
  current_leaf_id: string | null;
}

/** Creates a conversation; returns its id. */
export async function createConversation(base: string, options: CallOptions = {}): Promise<string> {
  const { json } = await callJson(base, "POST", "/api/conversations", {}, options);
  return json.id as string;
}

/** POSTs one user message in `conversationId`: the status and the JSON answer (stream or error). */
export function sendMessage(base: string, conversationId: string, content: string, options: CallOptions = {}) {
  return callJson(base, "POST", "/api/chat", { conversationId, messages: [{ role: "user", content }] }, options);
}

/** The conversation's messages and running stream. */
export async function readConversation(base: string, id: string, options: CallOptions = {}) {
  return (await callJson(base, "GET", `/api/conversations/${id}`, undefined, options)).json as StoredConversation;
}

/**
 * The conversation once no answer runs in it (the last one is stored).
 * @throws {Error} when one still runs after `timeoutMs`.
 */
export function answerStored(base: string, id: string, options: CallOptions = {}, timeoutMs = 10_000) {
  const read = () => readConversation(base, id, options);
  const idle = (conversation: StoredConversation) => conversation.running_stream_id === null;
  return waitUntil(`the answer in conversation ${id} to be stored`, read, idle, timeoutMs, 25);
}

/**
 * POSTs a turn in conversation `id` (an Ask, Edit, Regenerate or Continue: `body` beside the
 * conversation's id), and once it is accepted (202) waits until its answer is stored: the POST's
 * answer (a refusal is returned, not thrown).
 */
export async function turnIn(base: string, id: string, body: Record<string, unknown>, options: CallOptions = {}) {
  const started = await callJson(base, "POST", "/api/chat", { conversationId: id, ...body }, options);
  if (started.status === 202) await answerStored(base, id, options);
  return started;
}

/** Asks `content` (text, or content parts) in conversation `id` after `parentId`: {@link turnIn}. */
export function askAfter(
  base: string,
  id: string,
  content: unknown,
  parentId: string | null,
  options: CallOptions = {},
) {
  return turnIn(base, id, { content, parentId }, options);
}

/**
 * One user's calls on one app, for tests that make many: JSON calls, a conversation's read (a
 * path, with any query), a new conversation, and a turn waited for.
 */
export function conversationCalls(base: string, options: CallOptions = {}) {
  return {
    call: (method: string, path: string, body?: unknown) => callJson(base, method, path, body, options),
    // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever fields of a read it checks.
    read: async (id: string, query = ""): Promise<any> =>
      (await callJson(base, "GET", `/api/conversations/${id}${query}`, undefined, options)).json,
    create: () => createConversation(base, options),
    turn: (id: string, body: Record<string, unknown>) => turnIn(base, id, body, options),
  };
}

/**
 * A new conversation holding `questions`, each asked in turn and its answer stored (a conversation
 * for a test or a bench to open, made at the API's speed); returns its id. A question of the
 * simulator's (`/sim …`, `/echo …`) chooses its answer.
 */
export async function seedConversation(base: string, questions: readonly string[], options: CallOptions = {}) {
  const id = await createConversation(base, options);
  for (const content of questions) {
    const { status, text } = await turnIn(base, id, { content }, options);
    if (status !== 202) throw new ResponseError(`http_${status}`, `seeding ${id}: ${text.slice(0, 200)}`);
  }
  return id;
}
