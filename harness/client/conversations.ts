/**
 * Stored conversations over HTTP: create one, ask in it, wait for its answer to be stored, read
 * it back.
 */
import { type CallOptions, callJson } from "./api.ts";
import { waitUntil } from "./poll.ts";

export interface StoredMessage {
  id: string;
  role: string;
  content: string;
  status: string;
  error?: { code: string; message: string; retryable: boolean };
}

export interface StoredConversation {
  id: string;
  title: string | null;
  messages: StoredMessage[];
  running_stream_id: string | null;
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
 * Asks `content` (text, or content parts) in conversation `id` after `parentId`, and once the
 * POST is accepted (202) waits until the answer is stored: the POST's answer (a refusal is
 * returned, not thrown).
 */
export async function askAfter(
  base: string,
  id: string,
  content: unknown,
  parentId: string | null,
  options: CallOptions = {},
) {
  const started = await callJson(base, "POST", "/api/chat", { conversationId: id, content, parentId }, options);
  if (started.status === 202) await answerStored(base, id, options);
  return started;
}
