/**
 * The one place that turns errors into HTTP responses: `{"error":{code,message,field?}}` with the
 * error's status, for what routes throw, for Elysia's own schema, parse and routing errors, and
 * for anything unexpected (a 500 that reveals no internals).
 */
import { NotFoundError, SluiceError, ValidationError } from "../errors.ts";

interface SchemaIssue {
  path?: string;
  summary?: string;
  message?: string;
  schema?: { error?: unknown; description?: string };
}

interface SchemaError {
  all?: SchemaIssue[];
  message?: string;
  /** What a schema's `error` function returned, when it is one (query numbers use it to name their field). */
  customError?: unknown;
}

/** A JSON error response for any thrown value; unknown errors become a 500 without internals. */
export function errorResponse(error: unknown): Response {
  const known =
    error instanceof SluiceError ? error : new SluiceError("internal_error", "unexpected server error", 500);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (known.status === 429 || known.status === 503) headers["retry-after"] = String(known.retryAfterSeconds ?? 1);
  // The body was left unread (too slow, too large): the connection cannot carry another request,
  // and a runtime would otherwise keep it open waiting for the rest.
  if (known.status === 408 || known.status === 413) headers.connection = "close";
  return new Response(JSON.stringify(known), { status: known.status, headers });
}

/** Elysia's `onError` hook: every error of every route, as the API's JSON error. */
export function handleError({ code, error }: { code: string | number; error: unknown }): Response {
  if (error instanceof SluiceError) return errorResponse(error);
  // Elysia wraps what a parse hook throws (413, 415, malformed JSON) in its ParseError.
  const cause = (error as { cause?: unknown }).cause;
  if (code === "PARSE")
    return errorResponse(cause instanceof SluiceError ? cause : new ValidationError("body", "unreadable body"));
  if (code === "VALIDATION") return errorResponse(toValidationError(error as SchemaError));
  if (code === "NOT_FOUND") return errorResponse(new NotFoundError("route"));
  console.error(JSON.stringify({ level: "error", msg: "unhandled", error: String(error) }));
  return errorResponse(error);
}

/** `/messages/0/role` → `messages[0].role`; the root becomes `body`. */
export function fieldName(path: string | undefined): string {
  if (!path || path === "/") return "body";
  return path
    .split("/")
    .filter(Boolean)
    .map((part, index) => (/^\d+$/.test(part) ? `[${part}]` : index === 0 ? part : `.${part}`))
    .join("");
}

/** The first issue of an Elysia validation error as a {@link ValidationError} naming its field. */
export function toValidationError(error: SchemaError): ValidationError {
  // Elysia checks a coerced query number on its own, without its path: its schema names the field.
  const custom = error.customError as { field?: string; message?: string } | undefined;
  if (custom?.field && custom.message) return new ValidationError(custom.field, custom.message);
  const issue = error.all?.[0];
  if (!issue) return new ValidationError("body", "does not match the expected shape");
  const text = typeof issue.schema?.error === "string" ? issue.schema.error : undefined;
  const summary = issue.summary?.replace(/^Property '[^']*' /, "") ?? issue.message ?? "is invalid";
  return new ValidationError(fieldName(issue.path), text ?? summary);
}
