/**
 * Errors in OpenAI's shape, `{"error":{"message","type","param","code"}}`, so that clients
 * (the `openai` package among them) turn them into their own typed errors exactly as they
 * would for the real API.
 */

/** A request the simulator refuses; `server.ts` turns it into an OpenAI-shaped response. */
export class SimulatorRequestError extends Error {
  override name = "SimulatorRequestError";
  constructor(
    message: string,
    /** The request field at fault (OpenAI's `param`), e.g. "messages" or "max_tokens". */
    readonly param: string | null,
    readonly status = 400,
    readonly code: string | null = null,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A `type` in OpenAI's vocabulary for each kind of status; clients mostly switch on the status itself. */
function errorType(status: number): string {
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/** A JSON response with an OpenAI-shaped error body. */
export function openAIErrorResponse(
  status: number,
  message: string,
  param: string | null = null,
  code: string | null = null,
  headers: Record<string, string> = {},
): Response {
  const body = { error: { message, type: errorType(status), param, code } };
  return Response.json(body, { status, headers });
}
