/**
 * `POST /v1/chat/completions`: an OpenAI-compatible pass-through, so any OpenAI client can use
 * Sluice as a gateway. Streams relay the upstream's chunks as they come; a client that
 * disconnects aborts its upstream call at once (no grace: OpenAI clients do not resume).
 */
import { Elysia } from "elysia";
import type OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionCreateParams } from "openai/resources/chat/completions";
import { encodeEvents, SSE_HEADERS, type SseMessage } from "../sse/encode.ts";
import type { UpstreamCallObserver } from "../upstream/call-observer.ts";
import { toUpstreamError } from "../upstream/errors.ts";
import { PassThroughCall } from "../upstream/pass-through.ts";
import type { TokenTimeouts } from "../upstream/timeouts.ts";
import { CompletionBody } from "./schemas.ts";

export interface OpenAiRouteDeps {
  upstream: OpenAI;
  timeouts: TokenTimeouts;
  observer: UpstreamCallObserver;
  /** Takes an open-stream slot (429 when none is free); returns the function that gives it back. */
  streamOpened: () => () => void;
  /** Counts the call against the active generations (429 at the limit); returns its release. */
  acquireCall: () => () => void;
  defaultModel: string;
}

export function openAiRoutes(deps: OpenAiRouteDeps) {
  return new Elysia({ name: "openai" })
    .post(
      "/v1/chat/completions",
      async ({ body, request }) => {
        const params = { ...body, model: body.model ?? deps.defaultModel } as ChatCompletionCreateParams;
        const call = new PassThroughCall(deps.upstream, {
          requestId: request.headers.get("x-request-id") ?? crypto.randomUUID(),
          timeouts: deps.timeouts,
          observer: deps.observer,
        });
        const leave = () => call.cancel("disconnect");
        // Both limits are taken before the upstream call starts, so a refusal costs nothing upstream.
        const releaseCall = deps.acquireCall();
        if (!params.stream) {
          request.signal.addEventListener("abort", leave, { once: true });
          try {
            // Undefined only when the client left, and then nobody reads the answer.
            return (await call.complete({ ...params, stream: false })) ?? new Response(null, { status: 499 });
          } finally {
            request.signal.removeEventListener("abort", leave);
            releaseCall();
          }
        }
        let closeStream: () => void;
        try {
          closeStream = deps.streamOpened();
        } catch (error) {
          releaseCall();
          throw error;
        }
        const closed = () => {
          closeStream();
          releaseCall();
        };
        request.signal.addEventListener("abort", leave, { once: true });
        const chunks = await call.open({ ...params, stream: true }).catch((error: unknown) => {
          closed();
          throw error;
        });
        if (!chunks) {
          closed();
          return new Response(null, { status: 499 });
        }
        return relayResponse(chunks, leave, request.signal, closed);
      },
      { body: CompletionBody },
    )
    .get("/v1/models", async () => {
      try {
        const page = await deps.upstream.models.list({ timeout: deps.timeouts.firstTokenMs });
        return { object: "list", data: page.data };
      } catch (cause) {
        throw toUpstreamError(cause);
      }
    });
}

const DONE: SseMessage = { data: "[DONE]" };

/** The chunks as OpenAI's stream format; a failure after the 200 is an `error` object in a data line. */
function relayResponse(
  chunks: AsyncGenerator<ChatCompletionChunk[]>,
  leave: () => void,
  signal: AbortSignal,
  closed: () => void,
): Response {
  const finish = () => {
    signal.removeEventListener("abort", leave);
    closed();
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(stream) {
      try {
        const next = await chunks.next();
        if (!next.done)
          return stream.enqueue(encodeEvents(next.value.map((chunk) => ({ data: JSON.stringify(chunk) }))));
        if (!signal.aborted) stream.enqueue(encodeEvents([DONE]));
      } catch (cause) {
        const error = toUpstreamError(cause);
        const failure = { error: { code: error.code, message: error.message, type: "upstream_error" } };
        stream.enqueue(encodeEvents([{ data: JSON.stringify(failure) }]));
      }
      finish();
      stream.close();
    },
    cancel() {
      leave();
      finish();
      void chunks.return(undefined);
    },
  });
  return new Response(body, { headers: SSE_HEADERS });
}
