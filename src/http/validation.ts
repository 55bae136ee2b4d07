/**
 * Turns Elysia's schema errors into the API's 400, naming the field as `messages[0].role`.
 */
import { ValidationError } from "../errors.ts";

interface SchemaIssue {
  path?: string;
  summary?: string;
  message?: string;
  schema?: { error?: unknown; description?: string };
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

/** The first issue of an Elysia validation error as a {@link ValidationError}. */
export function toValidationError(error: { all?: SchemaIssue[]; message?: string }): ValidationError {
  const issue = error.all?.[0];
  if (!issue) return new ValidationError("body", "does not match the expected shape");
  const custom = typeof issue.schema?.error === "string" ? issue.schema.error : undefined;
  const summary = issue.summary?.replace(/^Property '[^']*' /, "") ?? issue.message ?? "is invalid";
  return new ValidationError(fieldName(issue.path), custom ?? summary);
}
