/**
 * The conversation store on PostgreSQL (DATABASE_URL): a pool of DATABASE_POOL_SIZE connections
 * (postgres-database.ts). The tables and their semantics are SQLite's (sqlite.ts); row locks take
 * the place of SQLite's one write lock. The conversations' own reads and writes are here; an
 * exchange's writes are in postgres-exchanges.ts, images in postgres-images.ts, search in
 * postgres-search.ts.
 */
import type { Sql } from "postgres";
import type { StoredImage } from "./images.ts";
import { MigrationError } from "./migrations.ts";
import { pageFromRows, pageStart } from "./paging.ts";
import { connectPool, conversationRow } from "./postgres-database.ts";
import { rethrowAsStoreError } from "./postgres-errors.ts";
import * as exchanges from "./postgres-exchanges.ts";
import { findImage, imageRefs, imagesOfMessages } from "./postgres-images.ts";
import { migratePostgres } from "./postgres-migrations.ts";
import { searchPostgres } from "./postgres-search.ts";
import { type ConversationRow, conversationFromRows, type MessageRow, newConversationRow, toSummary } from "./rows.ts";
import { searchWords } from "./search-words.ts";
import type {
  AnswerCheckpoint,
  Conversation,
  ConversationPage,
  ConversationStore,
  ConversationSummary,
  ExchangeEnd,
  ExchangeStart,
  PageRequest,
  SearchHit,
} from "./store.ts";

export interface PostgresStoreOptions {
  /** Connections in the pool (DATABASE_POOL_SIZE). */
  poolSize: number;
  /** A schema to keep the tables in instead of the default (`public`); created when missing. */
  schema?: string;
  /** Mark every running answer interrupted on opening (default); not beside other live instances. */
  recoverAtStart?: boolean;
}

/** PostgreSQL could not be reached or refused us at start; the message says why, never the password. */
export class PostgresUnavailableError extends Error {
  override name = "PostgresUnavailableError";
  readonly code = "store_unavailable";
  constructor(cause: unknown) {
    super(`conversation store: cannot use the PostgreSQL server of DATABASE_URL: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** Opens the pool, migrates the database, and recovers interrupted exchanges. */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions,
): Promise<PostgresConversationStore> {
  const sql = connectPool(url, options.poolSize, options.schema);
  try {
    await migratePostgres(sql, options.schema);
    const store = new PostgresConversationStore(sql);
    // Beside other live instances, only their lease tells which running answers are cut off.
    if (options.recoverAtStart !== false) store.recovered = await store.recoverInterrupted();
    return store;
  } catch (error) {
    await sql.end({ timeout: 5 });
    throw error instanceof MigrationError ? error : new PostgresUnavailableError(error);
  }
}

export class PostgresConversationStore implements ConversationStore {
  /** How many exchanges {@link openPostgresStore} found interrupted by a previous process. */
  recovered = 0;

  constructor(readonly sql: Sql) {}

  async list(owner: string, { limit, before }: PageRequest): Promise<ConversationPage> {
    const after = pageStart(before);
    const sql = this.sql;
    const rows = await sql<ConversationRow[]>`
      SELECT * FROM conversations WHERE owner = ${owner}
        ${after ? sql`AND (updated_at < ${after.updatedAt} OR (updated_at = ${after.updatedAt} AND id < ${after.id}))` : sql``}
      ORDER BY updated_at DESC, id DESC LIMIT ${limit + 1}`.catch(rethrowAsStoreError);
    return pageFromRows(rows, limit);
  }

  async create(owner: string, title: string | null = null): Promise<ConversationSummary> {
    const row = newConversationRow(title);
    await this.sql`INSERT INTO conversations (id, owner, title, title_words, created_at, updated_at)
      VALUES (${row.id}, ${owner}, ${title}, ${searchWords(title)}, ${row.created_at}, ${row.updated_at})`.catch(
      rethrowAsStoreError,
    );
    return toSummary(row);
  }

  async get(owner: string, id: string): Promise<Conversation | undefined> {
    const row = await conversationRow(this.sql, owner, id);
    if (!row) return undefined;
    const messages = await this.sql<
      MessageRow[]
    >`SELECT * FROM messages WHERE conversation_id = ${id} ORDER BY seq`.catch(rethrowAsStoreError);
    const images = await imageRefs(this.sql, id).catch(rethrowAsStoreError);
    return conversationFromRows(row, messages, images);
  }

  async exists(owner: string, id: string): Promise<boolean> {
    return (await conversationRow(this.sql, owner, id)) !== undefined;
  }

  async rename(owner: string, id: string, title: string): Promise<ConversationSummary | undefined> {
    const [row] = await this.sql<ConversationRow[]>`
      UPDATE conversations SET title = ${title}, title_words = ${searchWords(title)}, updated_at = ${Date.now()}
      WHERE id = ${id} AND owner = ${owner} RETURNING *`.catch(rethrowAsStoreError);
    return row && toSummary(row);
  }

  async delete(owner: string, id: string): Promise<boolean> {
    const result = await this.sql`DELETE FROM conversations WHERE id = ${id} AND owner = ${owner}`.catch(
      rethrowAsStoreError,
    );
    return result.count > 0;
  }

  async setSystemPrompt(owner: string, id: string, prompt: string | null): Promise<boolean> {
    const result = await this.sql`UPDATE conversations SET system_prompt = ${prompt}, updated_at = ${Date.now()}
      WHERE id = ${id} AND owner = ${owner}`.catch(rethrowAsStoreError);
    return result.count > 0;
  }

  async beginExchange(owner: string, conversationId: string, start: ExchangeStart): Promise<boolean> {
    return exchanges.beginExchange(this.sql, owner, conversationId, start);
  }

  async finishExchange(owner: string, conversationId: string, end: ExchangeEnd): Promise<boolean> {
    return exchanges.finishExchange(this.sql, owner, conversationId, end);
  }

  async truncateAfter(owner: string, conversationId: string, messageId: string | null): Promise<boolean> {
    return exchanges.truncateAfter(this.sql, owner, conversationId, messageId);
  }

  async checkpointAnswers(checkpoints: AnswerCheckpoint[]): Promise<number> {
    return exchanges.checkpointAnswers(this.sql, checkpoints);
  }

  async recoverInterrupted(streamIds?: string[]): Promise<number> {
    return exchanges.recoverInterrupted(this.sql, streamIds);
  }

  async runningStreamIds(): Promise<string[]> {
    return exchanges.runningStreamIds(this.sql);
  }

  async search(owner: string, text: string, limit: number): Promise<SearchHit[]> {
    return searchPostgres(this.sql, owner, text, limit).catch(rethrowAsStoreError);
  }

  async getImage(owner: string, conversationId: string, imageId: string): Promise<StoredImage | undefined> {
    return findImage(this.sql, owner, conversationId, imageId).catch(rethrowAsStoreError);
  }

  async imagesOf(owner: string, conversationId: string, messageIds: string[]): Promise<StoredImage[]> {
    return imagesOfMessages(this.sql, owner, conversationId, messageIds).catch(rethrowAsStoreError);
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}
