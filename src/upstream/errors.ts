/**
 * Upstream failures, mapped once to stable codes the API and the `error` event carry.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { SluiceError } from "../errors.ts";
import { HttpResponseError } from "./http1-response.ts";

export type UpstreamErrorCode =
  | "upstream_unauthorized"
  | "upstream_rate_limited"
  | "upstream_unavailable"
  | "upstream_bad_response"
  | "upstream_rejected"
  | "upstream_timeout";

export class UpstreamError extends SluiceError {
  override name = "UpstreamError";
  declare readonly code: UpstreamErrorCode;
  constructor(code: UpstreamErrorCode, message: string, status: number, options: { cause?: unknown } = {}) {
    const retryable =
      code === "upstream_rate_limited" || code === "upstream_unavailable" || code === "upstream_timeout";
    super(code, message, status, { ...options, retryable });
  }
}

/** Raised by the token watchdog (timeouts.ts), which always knows the limit it enforced. */
export class UpstreamTimeoutError extends UpstreamError {
  override name = "UpstreamTimeoutError";
  constructor(what: "first token" | "next token", milliseconds: number) {
    super("upstream_timeout", `the model sent no ${what} within ${milliseconds} ms`, 504);
  }
}

/**
 * The provider's own words stay in `cause` (for the server log): they may name internal hosts,
 * quote the request, or echo a key, so the message a client sees is generic.
 */
function fromStatus(status: number, cause: unknown): UpstreamError {
  if (status === 401 || status === 403)
    return new UpstreamError("upstream_unauthorized", "the model provider refused the credentials", 502, { cause });
  if (status === 429)
    return new UpstreamError("upstream_rate_limited", "the model provider is rate limiting; retry shortly", 429, {
      cause,
    });
  if (status >= 500) return new UpstreamError("upstream_unavailable", "the model provider failed", 502, { cause });
  return new UpstreamError("upstream_rejected", "the model provider rejected the request", 502, { cause });
}

/** Maps anything the `openai` client or the stream throws to an {@link UpstreamError}. */
export function toUpstreamError(cause: unknown): UpstreamError {
  if (cause instanceof UpstreamError) return cause;
  // Only a per-call timeout (the models list) gets here: completions are timed by the watchdog.
  if (cause instanceof APIConnectionTimeoutError)
    return new UpstreamError("upstream_timeout", "the model provider did not answer in time", 504, { cause });
  if (cause instanceof APIConnectionError)
    return new UpstreamError("upstream_unavailable", "cannot reach the model provider", 502, { cause });
  if (cause instanceof APIError) {
    if (typeof cause.status === "number") return fromStatus(cause.status, cause);
    // An error object sent inside the stream, after a 200.
    return new UpstreamError("upstream_unavailable", "the model provider reported an error mid-answer", 502, { cause });
  }
  if (cause instanceof SyntaxError)
    return new UpstreamError("upstream_bad_response", "the model provider sent a malformed chunk", 502, { cause });
  if (cause instanceof HttpResponseError && !cause.cut)
    return new UpstreamError("upstream_bad_response", "the model provider sent a malformed response", 502, { cause });
  // A body cut mid-stream surfaces as a TypeError from fetch ("terminated", socket closed).
  return new UpstreamError("upstream_unavailable", "the connection to the model provider broke", 502, { cause });
}
