/**
 * The OpenAI Responses API, backed by generations: `POST /v1/responses` (streamed or whole; with
 * `background: true` a generation that survives its client), `GET /v1/responses/:id` (the
 * response object, or with `stream=true&starting_after=N` its events after N, on any instance),
 * and `POST /v1/responses/:id/cancel` (Stop). A response is its caller's: to anyone else it does
 * not exist. Reference: https://platform.openai.com/docs/api-reference/responses
 */
import { Elysia } from "elysia";
import type { ErrorEvent } from "../contract.ts";
import { NotFoundError, SluiceError, ValidationError } from "../errors.ts";
import { type GenerationView, textOf } from "../generation/view.ts";
import type { ImageLimits } from "../settings/attachments.ts";
import { responsesDialect, responsesResume, tokensNamedBy } from "../sse/responses-dialect.ts";
import { type ResponseRecord, responseObject } from "../sse/responses-events.ts";
import { ResponseParams, ResponseQuery, ResponsesBody } from "./dialect-schemas.ts";
import type { OpenEventStream } from "./event-stream.ts";
import type { ModelPolicy } from "./model-policy.ts";
import { storedImagesHold } from "./request-reservations.ts";
import { callerOf, requesterOf, userOf } from "./requester.ts";
import { parseResponseId } from "./response-id.ts";
import { planResponse } from "./responses-request.ts";
import { type ResponseStartDeps, startResponse } from "./responses-start.ts";
import { storedResponse } from "./responses-stored.ts";
import { CATCH_UP_MS } from "./resume-point.ts";
import { stopGeneration } from "./stop.ts";

export interface ResponsesRouteDeps extends ResponseStartDeps {
  openEventStream: OpenEventStream;
  /** Throws when no event-stream slot is free (for anyone, or for this user), so a refused stream starts no model call. */
  admitStream: (limitKey: string) => Promise<void>;
  policy: ModelPolicy;
  images: ImageLimits;
}

interface FoundResponse {
  generation: GenerationView;
  record: ResponseRecord;
}

/** The HTTP status of a response that failed, from its error's code. */
function failure(end: ErrorEvent): SluiceError {
  const status =
    end.code === "upstream_rate_limited"
      ? 429
      : end.code === "upstream_timeout"
        ? 504
        : end.code.startsWith("upstream_")
          ? 502
          : 503;
  return new SluiceError(end.code, end.message, status, { retryable: end.retryable });
}

/** The outcome of `generation`, watched as one viewer; undefined when the client left first (which cancels it). */
async function untilSettled(generation: GenerationView, signal: AbortSignal) {
  const viewing = generation.attach();
  const left = new Promise<undefined>((resolve) =>
    signal.addEventListener("abort", () => resolve(undefined), { once: true }),
  );
  try {
    return await Promise.race([generation.settled, left]);
  } finally {
    viewing.release();
  }
}

const progressOf = (generation: GenerationView) => ({ text: textOf(generation.log), end: generation.log.end });

export function responsesRoutes(deps: ResponsesRouteDeps) {
  /** The response `id` of the caller while its generation is retained, on whichever instance runs it. */
  const find = async (id: string, user: string): Promise<FoundResponse | undefined> => {
    const parts = parseResponseId(id);
    const generation = parts && (await deps.generations.find(parts.streamId, user));
    // Only a generation started as this response (another route's has no such record).
    const record = generation?.details ? (JSON.parse(generation.details) as ResponseRecord) : undefined;
    return generation && record?.id === id ? { generation, record } : undefined;
  };
  /** The stored response `id` of the caller, once its generation has left memory. */
  const stored = async (id: string, user: string) => {
    const parts = parseResponseId(id);
    const conversationId = parts?.conversationId;
    if (!parts || conversationId === undefined || !deps.conversations) return undefined;
    return storedResponse(deps.conversations, user, id, { ...parts, conversationId }, deps.policy.models[0] as string);
  };
  /** The response's events after `startingAfter` (all of them without it). */
  const events = async ({ generation, record }: FoundResponse, startingAfter: number | undefined, request: Request) => {
    // A copy that follows another instance may be behind what the client read from the owner.
    if (startingAfter !== undefined) await generation.reach?.(tokensNamedBy(startingAfter), CATCH_UP_MS);
    const resume = responsesResume(generation.log, startingAfter);
    if (!resume) throw new ValidationError("starting_after", "is past the last event of this response");
    const dialect = responsesDialect(record, generation.log, resume);
    const { limitKey } = requesterOf(request);
    return deps.openEventStream(generation, { after: resume.after, dialect, signal: request.signal, limitKey });
  };
  return new Elysia({ name: "responses" })
    .post(
      "/v1/responses",
      async ({ body, request }) => {
        const caller = callerOf(request);
        const plan = planResponse(body, deps.policy, deps.images);
        if (plan.stream) await deps.admitStream(caller.limitKey);
        const started = await startResponse(deps, caller, plan, storedImagesHold(request));
        if (plan.stream) return events(started, undefined, request);
        if (plan.background) return responseObject(started.record, { text: "", end: undefined });
        const outcome = await untilSettled(started.generation, request.signal);
        // Nobody is left to read it.
        if (!outcome) return new Response(null, { status: 499 });
        if (outcome.end.type === "error") throw failure(outcome.end);
        return responseObject(started.record, outcome);
      },
      { body: ResponsesBody },
    )
    .get(
      "/v1/responses/:id",
      async ({ params, query, request }) => {
        const user = userOf(request);
        const found = await find(params.id, user);
        const streamed = query.stream === "true";
        if (found && streamed) {
          const after = query.starting_after ?? request.headers.get("last-event-id") ?? undefined;
          if (after !== undefined && !/^\d{1,15}$/.test(after))
            throw new ValidationError("starting_after", "must be a sequence number");
          return events(found, after === undefined ? undefined : Number(after), request);
        }
        if (found) return responseObject(found.record, progressOf(found.generation));
        const kept = streamed ? undefined : await stored(params.id, user);
        if (kept) return kept;
        throw new NotFoundError(streamed ? "response's event stream" : "response");
      },
      { params: ResponseParams, query: ResponseQuery },
    )
    .post(
      "/v1/responses/:id/cancel",
      async ({ params, request }) => {
        const user = userOf(request);
        const found = await find(params.id, user);
        if (found) {
          const outcome = await stopGeneration(found.generation);
          return responseObject(found.record, outcome ?? progressOf(found.generation));
        }
        // Cancelling a response that has ended is answered with its final object, as the API does.
        const kept = await stored(params.id, user);
        if (kept) return kept;
        throw new NotFoundError("response");
      },
      { params: ResponseParams },
    );
}
