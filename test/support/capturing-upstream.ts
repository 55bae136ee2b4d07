/**
 * An OpenAI-compatible upstream for tests that must see exactly what the model was sent: it
 * records every chat request's body and streams the answer the test decides for it (or fails it).
 * A real server on a free port, reached by the app under test through UPSTREAM_BASE_URL.
 */

/** A chat request as the upstream received it. */
export interface CapturedRequest {
  model: string;
  messages: { role: string; content: unknown }[];
  max_tokens?: number;
  [field: string]: unknown;
}

/** The answer to one request: its tokens and why it ended, or an HTTP failure. */
export type UpstreamAnswer = { tokens: string[]; finish?: string } | { status: number; message: string };

export interface CapturingUpstream {
  /** The base URL to give the app as UPSTREAM_BASE_URL. */
  baseUrl: string;
  /** Every chat request, in arrival order. */
  requests: CapturedRequest[];
  stop(): Promise<void>;
}

const chunk = (model: string, delta: object, finish: string | null = null, usage?: object) =>
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }], ...(usage ? { usage } : {}) })}\n\n`;

/** Starts the upstream; `answer` decides each request's answer from the request and its index. */
export function startCapturingUpstream(
  answer: (request: CapturedRequest, index: number) => UpstreamAnswer,
  modelId = "model",
): CapturingUpstream {
  const requests: CapturedRequest[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      if (request.method !== "POST") return Response.json({ data: [{ id: modelId, object: "model" }] });
      const body = (await request.json()) as CapturedRequest;
      requests.push(body);
      const decided = answer(body, requests.length - 1);
      if ("status" in decided)
        return Response.json({ error: { message: decided.message } }, { status: decided.status });
      const { tokens, finish = "stop" } = decided;
      const usage = { prompt_tokens: 9, completion_tokens: tokens.length, total_tokens: 9 + tokens.length };
      const deltas = tokens.map((content, index) =>
        chunk(
          body.model,
          index === 0 ? { role: "assistant", content } : { content },
          index === tokens.length - 1 ? finish : null,
        ),
      );
      const text = `${deltas.join("")}${chunk(body.model, {}, null, usage)}data: [DONE]\n\n`;
      return new Response(text, { headers: { "content-type": "text/event-stream" } });
    },
  });
  return {
    baseUrl: `http://127.0.0.1:${server.port}/v1`,
    requests,
    stop: () => server.stop(true),
  };
}
