import { ResponseError } from "../../harness/client/api.ts";

/**
 * A failed request in a load run, with a stable `code` used as the tag of `sluice_errors`:
 * `http_<status>` and `bad_response` (the harness's ResponseError), `network`, `timeout`,
 * `sse_<code>` (an `event: error` from Sluice), `incomplete` (the stream closed before `done`).
 */
export class LoadError extends Error {
  override name = "LoadError";
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Maps whatever a request threw to a {@link LoadError} (aborts by timeout become `timeout`). */
export function toLoadError(error: unknown, signal?: AbortSignal): LoadError {
  if (error instanceof LoadError) return error;
  if (error instanceof ResponseError) return new LoadError(error.code, error.message, { cause: error });
  const reason = signal?.aborted ? signal.reason : undefined;
  if (reason instanceof DOMException && reason.name === "TimeoutError") {
    return new LoadError("timeout", "the request outlived ITERATION_TIMEOUT_MS", { cause: error });
  }
  return new LoadError("network", (error as Error)?.message ?? String(error), { cause: error });
}
