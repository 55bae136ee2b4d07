/**
 * PostgreSQL failures as the API shows them: the same {@link StoreError} codes as SQLite's
 * (store-errors.ts), a 503, and the real cause kept for the log.
 */
import { SluiceError } from "../errors.ts";
import { StoreError, type StoreErrorCode } from "./store-errors.ts";

// SQLSTATE codes (PostgreSQL's "Appendix A. Error Codes"); anything else, a lost connection
// included, is store_failed, which a client may retry.
const bySqlState: Record<string, StoreErrorCode> = {
  "53100": "store_full", // disk_full
  "25006": "store_readonly", // read_only_sql_transaction
  "40001": "store_busy", // serialization_failure
  "40P01": "store_busy", // deadlock_detected
  "55P03": "store_busy", // lock_not_available
  "53300": "store_busy", // too_many_connections
  "57P03": "store_busy", // cannot_connect_now (the server is starting up)
};

const explanations: Record<StoreErrorCode, string> = {
  store_full: "the database server's storage is full; nothing was stored",
  store_busy: "the conversation store is busy; retry shortly",
  store_readonly: "the conversation store is read-only; nothing was stored",
  store_failed: "the conversation store failed; nothing was stored",
};

/** Rethrows a SluiceError as it is, and any database failure as a {@link StoreError}. */
export function rethrowAsStoreError(error: unknown): never {
  if (error instanceof SluiceError) throw error;
  const state = (error as { code?: unknown } | undefined)?.code;
  const code = (typeof state === "string" ? bySqlState[state] : undefined) ?? "store_failed";
  throw new StoreError(code, explanations[code], { cause: error });
}
