/**
 * A failed request in a load run, with a stable `code` used as the tag of `sluice_errors`:
 * `http_<status>`, `network`, `timeout`, `sse_<code>` (an `event: error` from Sluice),
 * `incomplete` (the stream closed before `done`), `bad_response`.
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
  const reason = signal?.aborted ? signal.reason : undefined;
  if (reason instanceof DOMException && reason.name === "TimeoutError") {
    return new LoadError("timeout", "the request outlived ITERATION_TIMEOUT_MS", { cause: error });
  }
  return new LoadError("network", (error as Error)?.message ?? String(error), { cause: error });
}

/** Throws `http_<status>` unless the response has the expected status. */
export async function expectStatus(response: Response, expected: number, what: string): Promise<void> {
  if (response.status === expected) return;
  const body = await response.text().catch(() => "");
  throw new LoadError(`http_${response.status}`, `${what}: HTTP ${response.status} ${body.slice(0, 200)}`);
}
