/**
 * Stored conversations over HTTP: create one, send a message in it, read it back.
 */
import { callJson } from "./api.ts";

export interface StoredMessage {
  role: string;
  content: string;
  status: string;
  error?: { code: string; message: string; retryable: boolean };
}

/** Creates a conversation; returns its id. */
export async function createConversation(base: string): Promise<string> {
  const { json } = await callJson(base, "POST", "/api/conversations", {});
  return json.id as string;
}

/** POSTs one user message in `conversationId`: the status and the JSON answer (stream or error). */
export function sendMessage(base: string, conversationId: string, content: string) {
  return callJson(base, "POST", "/api/chat", { conversationId, messages: [{ role: "user", content }] });
}

/** The conversation's messages and running stream. */
export async function readConversation(base: string, id: string) {
  const { json } = await callJson(base, "GET", `/api/conversations/${id}`);
  return json as { messages: StoredMessage[]; running_stream_id: string | null };
}
