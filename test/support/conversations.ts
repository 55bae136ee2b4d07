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

/** A JSON answer: its status and body. */
export interface JsonReply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a test reads whatever fields it checks.
  json: any;
}

/**
 * JSON calls on one app as one user (`token` as a bearer token; none under AUTH=none), and the
 * conversation calls the branch tests make: create, read (a path, with any query), and a turn
 * that waits until its answer is stored.
 */
export function conversationClient(base: string, token?: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<JsonReply> => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : null };
  };
  const read = async (id: string, query = "") => (await call("GET", `/api/conversations/${id}${query}`)).json;
  return {
    call,
    read,
    create: async () => (await call("POST", "/api/conversations", {})).json.id as string,
    /** POST /api/chat in conversation `id` with `body`; once accepted, waits (bounded) until the answer is stored. */
    async turn(id: string, body: Record<string, unknown>): Promise<JsonReply> {
      const started = await call("POST", "/api/chat", { conversationId: id, ...body });
      if (started.status !== 202) return started;
      for (let i = 0; i < 400 && (await read(id)).running_stream_id !== null; i++) await Bun.sleep(25);
      return started;
    },
  };
}
