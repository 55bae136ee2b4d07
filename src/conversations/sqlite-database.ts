/**
 * The SQLite database under the conversation store (`node:sqlite`, which Bun and Deno both
 * provide): opening it with its settings and schema, one write transaction, and the lookup every
 * call of the store starts with.
 */
import { DatabaseSync } from "node:sqlite";
import type { ConversationRow } from "./conversation-rows.ts";
import type { MessageRow, NewMessageRow } from "./message-rows.ts";
import { migrate } from "./migrations.ts";

export interface StoreOptions {
  /** A cap on the database's size in bytes (STORE_MAX_BYTES); 0 or absent: none. */
  maxBytes?: number;
  /** A search running longer stops with 429 search_timeout (SEARCH_TIMEOUT_MS); absent: none. */
  searchTimeoutMs?: number;
}

/** Opens (creating it if needed) the database file at `path` and brings it to the latest schema. */
export function openDatabase(path: string, options: StoreOptions): DatabaseSync {
  const db = new DatabaseSync(path);
  // WAL: readers do not block the writer; busy_timeout: a second process (a restart that
  // overlaps the old one's shutdown) waits for the lock instead of failing at once.
  db.exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
  migrate(db);
  if (options.maxBytes) {
    const { page_size } = db.prepare("PRAGMA page_size").get() as { page_size: number };
    // PRAGMA takes no bound parameters; the value is a whole number from the configuration.
    db.exec(`PRAGMA max_page_count = ${Math.max(1, Math.floor(options.maxBytes / page_size))}`);
  }
  return db;
}

/** Runs `work` in one write transaction (BEGIN IMMEDIATE takes the write lock up front). */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    // SQLite rolls back by itself on some failures (a full disk, an I/O error); a ROLLBACK then
    // would throw "no transaction is active" and hide the real cause.
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/** `owner`'s conversation `id`, or undefined: another user's conversation is one that does not exist. */
export function conversationRow(db: DatabaseSync, owner: string, id: string): ConversationRow | undefined {
  return db.prepare("SELECT * FROM conversations WHERE id = ? AND owner = ?").get(id, owner) as
    | ConversationRow
    | undefined;
}

/** Message `id` of the conversation, or undefined (null or an id of any other conversation). */
export function messageRow(db: DatabaseSync, conversationId: string, id: string | null | undefined) {
  if (id === null || id === undefined) return undefined;
  return db.prepare("SELECT * FROM messages WHERE id = ? AND conversation_id = ?").get(id, conversationId) as
    | MessageRow
    | undefined;
}

/** Runs `run` once per slice of `ids` with the `?, ?, …` an `IN (…)` of that slice needs; returns every result. */
export function forEachSlice<T>(ids: readonly string[], run: (slice: string[], marks: string) => T[]): T[] {
  const results: T[] = [];
  // Well below SQLite's limit on bound parameters, with room for the others of the statement.
  for (let at = 0; at < ids.length; at += 500) {
    const slice = ids.slice(at, at + 500);
    results.push(...run(slice, slice.map(() => "?").join(", ")));
  }
  return results;
}

/** Inserts a message row (rows.ts makes it). */
export function insertMessage(db: DatabaseSync, row: NewMessageRow): void {
  db.prepare(
    `INSERT INTO messages (id, conversation_id, parent_id, role, content, status, error_code, error_message,
       error_retryable, created_at, ttft_ms, total_ms, completion_tokens, finish_reason, model, tool_steps,
       usage_prompt_tokens, usage_completion_tokens, usage_estimated)
     VALUES (:id, :conversation_id, :parent_id, :role, :content, :status, :error_code, :error_message,
       :error_retryable, :created_at, :ttft_ms, :total_ms, :completion_tokens, :finish_reason, :model, :tool_steps,
       :usage_prompt_tokens, :usage_completion_tokens, :usage_estimated)`,
  ).run({ ...row });
}
