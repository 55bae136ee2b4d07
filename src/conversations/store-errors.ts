/**
 * Storage failures as the API shows them: a stable code and a 503, while the log keeps the real
 * cause. Errors cross the storage worker's message channel as plain data (a structured clone
 * keeps no class), so this module both flattens and rebuilds them.
 */
import { SluiceError, ValidationError } from "../errors.ts";

export type StoreErrorCode = "store_full" | "store_busy" | "store_readonly" | "store_failed";

export class StoreError extends SluiceError {
  override name = "StoreError";
  declare readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, 503, { ...options, retryable: code === "store_busy" || code === "store_failed" });
  }
}

/**
 * A search that ran past SEARCH_TIMEOUT_MS, stopped so that it no longer holds the store: the
 * caller's own words asked for more work than a search may take (429, like any other share of
 * the server a user has used up), never a server fault.
 */
export class SearchTimeoutError extends SluiceError {
  override name = "SearchTimeoutError";
  constructor() {
    super("search_timeout", "the search took too long and was stopped; add a more specific word", 429, {
      field: "q",
      retryable: true,
      retryAfterSeconds: 1,
    });
  }
}

/** An error as data: a SluiceError's contract fields, or a database error's own details. */
export interface FlatError {
  kind: "sluice" | "database";
  code: string;
  message: string;
  status?: number;
  field?: string | undefined;
  retryable?: boolean;
  details?: Record<string, unknown> | undefined;
  retryAfterSeconds?: number | undefined;
  /** SQLite's result code, where the runtime gives it (Bun does, Deno does not). */
  errcode?: number;
}

/** Flattens any thrown value for the trip across the worker channel. */
export function flattenError(error: unknown): FlatError {
  if (error instanceof SluiceError) {
    const { code, message, status, field, retryable, details, retryAfterSeconds } = error;
    return { kind: "sluice", code, message, status, field, retryable, details, retryAfterSeconds };
  }
  const details = error as { message?: unknown; errcode?: unknown; code?: unknown };
  return {
    kind: "database",
    code: typeof details.code === "string" ? details.code : "unknown",
    message: typeof details.message === "string" ? details.message : String(error),
    ...(typeof details.errcode === "number" ? { errcode: details.errcode } : {}),
  };
}

// SQLite primary result codes (sqlite.org/rescode.html); the message is the fallback where the
// runtime gives no code. Extended codes keep the primary one in their low byte.
const byResult: Record<number, StoreErrorCode> = {
  5: "store_busy",
  6: "store_busy",
  8: "store_readonly",
  13: "store_full",
};
const byMessage: [RegExp, StoreErrorCode][] = [
  [/disk is full|database or disk is full/i, "store_full"],
  [/database is locked|busy/i, "store_busy"],
  [/readonly|read-only/i, "store_readonly"],
];

const explanations: Record<StoreErrorCode, string> = {
  store_full: "the server's storage is full; nothing was stored",
  store_busy: "the conversation store is busy; retry shortly",
  store_readonly: "the conversation store is read-only; nothing was stored",
  store_failed: "the conversation store failed; nothing was stored",
};

/** Rebuilds a flattened error: the same SluiceError contract, or a {@link StoreError} for a database failure. */
export function rebuildError(flat: FlatError): SluiceError {
  if (flat.kind === "sluice") {
    if (flat.status === 400 && flat.field) return new ValidationError(flat.field, flat.message.replace(/^[^:]*: /, ""));
    return new SluiceError(flat.code, flat.message, flat.status ?? 500, {
      retryable: flat.retryable ?? false,
      ...(flat.details ? { details: flat.details } : {}),
      ...(flat.field ? { field: flat.field } : {}),
      ...(flat.retryAfterSeconds ? { retryAfterSeconds: flat.retryAfterSeconds } : {}),
    });
  }
  const code =
    (flat.errcode !== undefined ? byResult[flat.errcode & 0xff] : undefined) ??
    byMessage.find(([pattern]) => pattern.test(flat.message))?.[1] ??
    "store_failed";
  return new StoreError(code, explanations[code], { cause: new Error(flat.message) });
}
