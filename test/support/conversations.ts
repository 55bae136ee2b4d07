/**
 * Conversations over HTTP in process-level tests: create one, send a message in it, read it back.
 */

export interface StoredMessage {
  role: string;
  content: string;
  status: string;
  error?: { code: string; message: string; retryable: boolean };
}

async function json(url: string, init?: RequestInit) {
  const response = await fetch(url, {
    ...init,
    headers: { "content-type": "application/json" },
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** Creates a conversation; returns its id. */
export async function createConversation(base: string): Promise<string> {
  const { body } = await json(`${base}/api/conversations`, { method: "POST", body: "{}" });
  return body.id as string;
}

/** POSTs one user message in `conversationId`: the status and the JSON answer (stream or error). */
export function sendMessage(base: string, conversationId: string, content: string) {
  return json(`${base}/api/chat`, {
    method: "POST",
    body: JSON.stringify({ conversationId, messages: [{ role: "user", content }] }),
  });
}

/** The conversation's messages and running stream. */
export async function readConversation(base: string, id: string) {
  const { body } = await json(`${base}/api/conversations/${id}`);
  return body as { messages: StoredMessage[]; running_stream_id: string | null };
}
