/**
 * A model server that answers every completion "ok" and keeps each request body it received:
 * what actually left Sluice, for the `/v1` and `/api/chat` policy checks.
 */

export interface RecordingUpstream {
  /** The request bodies received, oldest first. */
  received: Record<string, unknown>[];
  /** Its OpenAI base URL. */
  baseUrl: string;
  stop(): void;
}

export function startRecordingUpstream(): RecordingUpstream {
  const received: Record<string, unknown>[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      if (request.method === "GET") return Response.json({ object: "list", data: [{ id: "m1", object: "model" }] });
      received.push((await request.json()) as Record<string, unknown>);
      return Response.json({
        id: "c1",
        object: "chat.completion",
        created: 0,
        model: "m1",
        choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      });
    },
  });
  return { received, baseUrl: `http://127.0.0.1:${server.port}/v1`, stop: () => server.stop(true) };
}
