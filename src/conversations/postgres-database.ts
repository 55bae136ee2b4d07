/**
 * The PostgreSQL connection pool under the conversation store (the `postgres` client, which runs
 * on Bun and Deno alike): its settings, one transaction, and the lookup every call of the store
 * starts with. Every value is sent as a bound parameter.
 */
import postgres, { type Sql, type TransactionSql } from "postgres";
import type { ConversationRow } from "./conversation-rows.ts";
import type { MessageRow, NewMessageRow } from "./message-rows.ts";
import { rethrowAsStoreError } from "./postgres-errors.ts";
import { searchWords } from "./search-words.ts";

/** The pool, or one transaction of it. */
export type Queries = Sql | TransactionSql;

/** A pool of `poolSize` connections to `url`, its tables in `schema` when given (else the user's default). */
export function connectPool(url: string, poolSize: number, schema: string | undefined): Sql {
  return postgres(url, {
    max: poolSize,
    // BIGINT (times in epoch ms, message seq) as a number: every value stays far below 2^53.
    types: { bigint: { to: 20, from: [20], serialize: (n: number) => String(n), parse: (s: string) => Number(s) } },
    ...(schema ? { connection: { search_path: schema } } : {}),
    // "already exists, skipping" notices of CREATE … IF NOT EXISTS are expected, not news.
    onnotice: () => {},
  });
}

/** Runs `work` in one transaction; a database failure becomes a StoreError (postgres-errors.ts). */
export function inTransaction<T>(sql: Sql, work: (tx: TransactionSql) => Promise<T>): Promise<T> {
  return (sql.begin((tx) => work(tx)) as Promise<T>).catch(rethrowAsStoreError);
}

/**
 * `owner`'s conversation `id`, or undefined: another user's conversation is one that does not
 * exist. `lock` holds the row until the transaction ends, so exchanges on it take turns.
 */
export async function conversationRow(
  sql: Queries,
  owner: string,
  id: string,
  lock = false,
): Promise<ConversationRow | undefined> {
  const [row] = await sql<ConversationRow[]>`
    SELECT * FROM conversations WHERE id = ${id} AND owner = ${owner} ${lock ? sql`FOR UPDATE` : sql``}`.catch(
    rethrowAsStoreError,
  );
  return row;
}

/** Message `id` of the conversation, or undefined (null or an id of any other conversation). */
export async function messageRow(
  sql: Queries,
  conversationId: string,
  id: string | null | undefined,
): Promise<MessageRow | undefined> {
  if (id === null || id === undefined) return undefined;
  const [row] = await sql<
    MessageRow[]
  >`SELECT * FROM messages WHERE id = ${id} AND conversation_id = ${conversationId}`;
  return row;
}

/** Inserts a message row (rows.ts makes it), with its folded words for search (postgres-search.ts). */
export async function insertMessage(tx: TransactionSql, row: NewMessageRow): Promise<void> {
  await tx`INSERT INTO messages ${tx({ ...row, search_words: searchWords(row.content) })}`;
}
