/**
 * `POST /v1/chat/completions`: an OpenAI-compatible pass-through, so any OpenAI client can use
 * Sluice as a gateway. Streams relay the upstream's chunks one by one; a client that disconnects
 * aborts its upstream call at once (no grace: OpenAI clients do not resume).
 */
import { Elysia, t } from "elysia";
import type { ChatCompletionChunk, ChatCompletionCreateParams } from "openai/resources/chat/completions";
import type { Services } from "../services.ts";
import { formatEvent, SSE_HEADERS } from "../sse/encode.ts";
import { toUpstreamError } from "../upstream/errors.ts";

const CompletionBody = t.Object(
  {
    messages: t.Array(
      t.Object({ role: t.String({ minLength: 1, error: "must be a role" }) }, { additionalProperties: true }),
      {
        minItems: 1,
        error: "must be a non-empty list of messages",
      },
    ),
    model: t.Optional(t.String({ minLength: 1, error: "must be a model name" })),
    stream: t.Optional(t.Boolean({ error: "must be true or false" })),
  },
  { additionalProperties: true },
);

const encoder = new TextEncoder();

export function openAiRoutes(services: Services) {
  return new Elysia({ name: "openai" })
    .post(
      "/v1/chat/completions",
      async ({ body, request }) => {
        const params = { ...body, model: body.model ?? services.config.model } as ChatCompletionCreateParams;
        const requestId = request.headers.get("x-request-id") ?? crypto.randomUUID();
        if (!params.stream) {
          try {
            return await services.upstream.chat.completions.create(
              { ...params, stream: false },
              { signal: request.signal, headers: { "x-request-id": requestId } },
            );
          } catch (cause) {
            const error = toUpstreamError(cause);
            services.metrics.upstreamError(error.code);
            throw error;
          }
        }
        return relayStream(services, { ...params, stream: true }, request, requestId);
      },
      { body: CompletionBody },
    )
    .get("/v1/models", async () => {
      try {
        const page = await services.upstream.models.list();
        return { object: "list", data: page.data };
      } catch (cause) {
        throw toUpstreamError(cause);
      }
    });
}

async function relayStream(
  services: Services,
  params: ChatCompletionCreateParams & { stream: true },
  request: Request,
  requestId: string,
): Promise<Response> {
  const controller = new AbortController();
  const { metrics } = services;
  const leave = () => {
    if (controller.signal.aborted) return;
    metrics.passThroughCancelled("disconnect");
    controller.abort("disconnect");
  };
  request.signal.addEventListener("abort", leave, { once: true });
  let upstream: AsyncIterator<ChatCompletionChunk>;
  try {
    const stream = await services.upstream.chat.completions.create(params, {
      signal: controller.signal,
      headers: { "x-request-id": requestId },
    });
    upstream = stream[Symbol.asyncIterator]();
  } catch (cause) {
    const error = toUpstreamError(cause);
    metrics.upstreamError(error.code);
    throw error;
  }
  const started = performance.now();
  let first = true;
  const closed = metrics.streamOpened();
  const finish = () => {
    request.signal.removeEventListener("abort", leave);
    closed();
  };
  return new Response(
    new ReadableStream<Uint8Array>({
      async pull(stream) {
        try {
          const next = await upstream.next();
          if (next.done) {
            if (!controller.signal.aborted) stream.enqueue(encoder.encode(formatEvent({ data: "[DONE]" })));
            finish();
            return stream.close();
          }
          if (next.value.choices?.[0]?.delta?.content) {
            if (first) metrics.passThroughFirstToken(performance.now() - started);
            first = false;
            metrics.passThroughTokens(1);
          }
          stream.enqueue(encoder.encode(formatEvent({ data: JSON.stringify(next.value) })));
        } catch (cause) {
          const error = toUpstreamError(cause);
          metrics.upstreamError(error.code);
          // The OpenAI stream convention for a failure after the 200: an `error` object in a data line.
          stream.enqueue(
            encoder.encode(
              formatEvent({
                data: JSON.stringify({ error: { code: error.code, message: error.message, type: "upstream_error" } }),
              }),
            ),
          );
          finish();
          stream.close();
        }
      },
      cancel() {
        leave();
        finish();
      },
    }),
    { headers: SSE_HEADERS },
  );
}
