/**
 * `POST /v1/chat/completions`: an OpenAI-compatible pass-through, so any OpenAI client can use
 * Sluice as a gateway. Streams relay the upstream's chunks as they come; a client that
 * disconnects aborts its upstream call at once (no grace: OpenAI clients do not resume).
 */
import { Elysia } from "elysia";
import type OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionCreateParams } from "openai/resources/chat/completions";
import type { Held } from "../held.ts";
import type { UserLimiter } from "../limits/user-limits.ts";
import { encodeEvents, SSE_HEADERS, type SseMessage } from "../sse/encode.ts";
import type { UpstreamCallObserver } from "../upstream/call-observer.ts";
import { toUpstreamError } from "../upstream/errors.ts";
import { PassThroughCall } from "../upstream/pass-through.ts";
import type { TokenTimeouts } from "../upstream/timeouts.ts";
import type { IncludeUsagePolicy } from "../upstream/usage-request.ts";
import type { TokenAccounting } from "../usage/accounting.ts";
import { estimatePromptTokens } from "../usage/estimate.ts";
import { type ModelPolicy, passThroughBody } from "./model-policy.ts";
import { type Caller, callerOf } from "./requester.ts";
import { CompletionBody } from "./schemas.ts";

export interface OpenAiRouteDeps {
  upstream: OpenAI;
  timeouts: TokenTimeouts;
  observer: UpstreamCallObserver;
  /** Takes an open-stream slot for the limit key (429 when none is free), held until released. */
  streamOpened: (limitKey: string | undefined) => Promise<Held>;
  policy: ModelPolicy;
  /** The same per-user limits as generations: a `/v1` call counts as one running answer. */
  userLimits: UserLimiter;
  /** Counts the call against the active generations (429 at the limit), until released. */
  acquireCall: () => Held;
  /** Whether a stream asks the model for its usage (UPSTREAM_INCLUDE_USAGE). */
  includeUsage: IncludeUsagePolicy;
  /** Admits the call within its user's token budgets and counts what it cost; absent without a store. */
  accounting?: Pick<TokenAccounting, "admit" | "record"> | undefined;
}

export function openAiRoutes(deps: OpenAiRouteDeps) {
  return new Elysia({ name: "openai" })
    .post(
      "/v1/chat/completions",
      async ({ body, request }) => {
        const params = passThroughBody(deps.policy, body) as unknown as ChatCompletionCreateParams;
        const caller = callerOf(request);
        // Every limit is taken before the call exists (its watchdog starts with it), so a refusal
        // costs nothing upstream and leaves nothing running.
        const limits = await takeLimits(deps, caller, params.stream === true);
        const call = new PassThroughCall(deps.upstream, {
          requestId: request.headers.get("x-request-id") ?? crypto.randomUUID(),
          timeouts: deps.timeouts,
          observer: deps.observer,
          usage: deps.includeUsage,
        });
        const leave = () => call.cancel("disconnect");
        // Once the call is over, whichever way: its limits given back, what it cost counted.
        const promptTokens = estimatePromptTokens(params.messages);
        let ended = false;
        const release = () => {
          if (ended) return;
          ended = true;
          limits();
          deps.accounting?.record(caller.user, params.model, call.usage(promptTokens));
        };
        request.signal.addEventListener("abort", leave, { once: true });
        if (!params.stream) {
          try {
            // Undefined only when the client left, and then nobody reads the answer.
            return (await call.complete({ ...params, stream: false })) ?? new Response(null, { status: 499 });
          } finally {
            request.signal.removeEventListener("abort", leave);
            release();
          }
        }
        const chunks = await call.open({ ...params, stream: true }).catch((error: unknown) => {
          release();
          throw error;
        });
        if (!chunks) {
          release();
          return new Response(null, { status: 499 });
        }
        return relayResponse(chunks, leave, request.signal, release);
      },
      { body: CompletionBody },
    )
    .get("/v1/models", async () => {
      try {
        const page = await deps.upstream.models.list({ timeout: deps.timeouts.firstTokenMs });
        // The models clients may use (MODELS), with the upstream's details where it lists them.
        const listed = new Map(page.data.map((model) => [model.id, model]));
        const data = deps.policy.models.map(
          (id) => listed.get(id) ?? { id, object: "model", created: 0, owned_by: "sluice" },
        );
        return { object: "list", data };
      } catch (cause) {
        throw toUpstreamError(cause);
      }
    });
}

/**
 * The caller's token budgets, per-user slot, one of the active generations, and (for a stream)
 * an open-stream slot; all or none. The returned function gives back what was taken (idempotent).
 */
async function takeLimits(deps: OpenAiRouteDeps, caller: Caller, streams: boolean): Promise<() => void> {
  const releases: Held[] = [];
  const release = () => {
    for (const held of releases.splice(0)) held.release();
  };
  // A user past a budget is refused before anything is taken.
  await deps.accounting?.admit(caller.user);
  try {
    const { limitKey } = caller;
    releases.push(await deps.userLimits.acquire(limitKey));
    releases.push(deps.acquireCall());
    if (streams) releases.push(await deps.streamOpened(limitKey));
  } catch (error) {
    release();
    throw error;
  }
  return release;
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
