/**
 * The conversation store on PostgreSQL (DATABASE_URL): a pool of DATABASE_POOL_SIZE connections
 * (postgres-database.ts). The tables and their semantics are SQLite's (sqlite.ts); row locks take
 * the place of SQLite's one write lock. The conversations' own reads and writes are here; an
 * exchange's writes are in postgres-exchanges.ts, its tree's reads and branch writes in
 * postgres-tree.ts, images in postgres-images.ts, documents in postgres-documents.ts, search in
 * postgres-search.ts; the tables beside the conversations (token ledger, share links, audit log) are
 * reached through the class it extends (side-tables.ts).
 */
import type { Sql } from "postgres";
import type { ConversationPage, ConversationSummary, PageRequest } from "./conversation-list.ts";
import { type ConversationRow, conversationUsageOf, newConversationRow, toSummary } from "./conversation-rows.ts";
import type { StoredDocument } from "./documents.ts";
import type { StoredImage } from "./images.ts";
import { MigrationError } from "./migrations.ts";
import { pageFromRows, pageStart } from "./paging.ts";
import { readConversation } from "./path-read.ts";
import * as admin from "./postgres-admin.ts";
import { connectPool, conversationRow } from "./postgres-database.ts";
import { documentsOfMessages, findDocument } from "./postgres-documents.ts";
import { rethrowAsStoreError } from "./postgres-errors.ts";
import * as exchanges from "./postgres-exchanges.ts";
import { findImage, imagesOfMessages } from "./postgres-images.ts";
import { migratePostgres } from "./postgres-migrations.ts";
import { type SearchSettings, searchPostgres } from "./postgres-search.ts";
import * as shares from "./postgres-shares.ts";
import * as tokens from "./postgres-token-usage.ts";
import * as branches from "./postgres-tree.ts";
import { searchWords } from "./search-words.ts";
import { type SideTableQueries, SideTables } from "./side-tables.ts";
import type {
  AnswerCheckpoint,
  Conversation,
  ConversationStore,
  ConversationTree,
  ConversationUsage,
  ExchangeEnd,
  ExchangeStart,
  PathRead,
  SearchHit,
  StoredMessage,
  StoredUsage,
} from "./store.ts";

export interface PostgresStoreOptions {
  /** Connections in the pool (DATABASE_POOL_SIZE). */
  poolSize: number;
  /** A schema to keep the tables in instead of the default (`public`); created when missing. */
  schema?: string;
  /** Mark every running answer interrupted on opening (default); not beside other live instances. */
  recoverAtStart?: boolean;
  /** A search running longer is cancelled (SEARCH_TIMEOUT_MS); absent: none. */
  searchTimeoutMs?: number;
  /** False only for the attacker suite's negative control (postgres-search.ts). */
  quoteSearch?: boolean;
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
    const store = new PostgresConversationStore(sql, {
      timeoutMs: options.searchTimeoutMs,
      quoted: options.quoteSearch,
    });
    // Beside other live instances, only their lease tells which running answers are cut off.
    if (options.recoverAtStart !== false) store.recovered = await store.recoverInterrupted();
    return store;
  } catch (error) {
    await sql.end({ timeout: 5 });
    throw error instanceof MigrationError ? error : new PostgresUnavailableError(error);
  }
}

/** The SQL of the tables beside the conversations (side-tables.ts). */
const sideTableQueries: SideTableQueries<Sql> = { ...tokens, ...shares, ...admin };

export class PostgresConversationStore extends SideTables<Sql> implements ConversationStore {
  /** How many exchanges {@link openPostgresStore} found interrupted by a previous process. */
  recovered = 0;

  constructor(
    readonly sql: Sql,
    private readonly searchSettings: SearchSettings = {},
  ) {
    super(sql, sideTableQueries);
  }

  async list(owner: string, { limit, before }: PageRequest): Promise<ConversationPage> {
    const after = pageStart(before);
    const sql = this.sql;
    const rows = await sql<ConversationRow[]>`
      SELECT * FROM conversations WHERE owner = ${owner}
        ${after ? sql`AND (updated_at < ${after.updatedAt} OR (updated_at = ${after.updatedAt} AND id < ${after.id}))` : sql``}
      ORDER BY updated_at DESC, id DESC LIMIT ${limit + 1}`.catch(rethrowAsStoreError);
    return pageFromRows(rows, limit);
  }

  async create(owner: string, title: string | null = null, id?: string): Promise<ConversationSummary> {
    const row = newConversationRow(title, id);
    await this.sql`INSERT INTO conversations (id, owner, title, title_words, created_at, updated_at)
      VALUES (${row.id}, ${owner}, ${title}, ${searchWords(title)}, ${row.created_at}, ${row.updated_at})`.catch(
      rethrowAsStoreError,
    );
    return toSummary(row);
  }

  async get(owner: string, id: string, read?: PathRead): Promise<Conversation | undefined> {
    return readConversation(this, owner, id, read);
  }

  async tree(owner: string, id: string): Promise<ConversationTree | undefined> {
    return branches.treeOf(this.sql, owner, id);
  }

  async messages(owner: string, id: string, ids: string[]): Promise<StoredMessage[]> {
    return branches.messagesOf(this.sql, owner, id, ids);
  }

  async setCurrentLeaf(owner: string, id: string, messageId: string): Promise<string | undefined> {
    return branches.setCurrentLeaf(this.sql, owner, id, messageId);
  }

  async deleteBranch(owner: string, id: string, messageId: string): Promise<boolean> {
    return branches.deleteBranch(this.sql, owner, id, messageId);
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

  async setModel(owner: string, id: string, model: string | null): Promise<boolean> {
    const result = await this.sql`UPDATE conversations SET model = ${model}, updated_at = ${Date.now()}
      WHERE id = ${id} AND owner = ${owner}`.catch(rethrowAsStoreError);
    return result.count > 0;
  }

  async setTools(owner: string, id: string, tools: boolean | null): Promise<boolean> {
    const value = tools === null ? null : Number(tools);
    const result = await this.sql`UPDATE conversations SET tools = ${value}, updated_at = ${Date.now()}
      WHERE id = ${id} AND owner = ${owner}`.catch(rethrowAsStoreError);
    return result.count > 0;
  }

  async beginExchange(owner: string, conversationId: string, start: ExchangeStart): Promise<boolean> {
    return exchanges.beginExchange(this.sql, owner, conversationId, start);
  }

  async finishExchange(owner: string, conversationId: string, end: ExchangeEnd): Promise<boolean> {
    return exchanges.finishExchange(this.sql, owner, conversationId, end);
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
    return searchPostgres(this.sql, owner, text, limit, this.searchSettings).catch(rethrowAsStoreError);
  }

  async getImage(owner: string, conversationId: string, imageId: string): Promise<StoredImage | undefined> {
    return findImage(this.sql, owner, conversationId, imageId).catch(rethrowAsStoreError);
  }

  async imagesOf(owner: string, conversationId: string, messageIds: string[]): Promise<StoredImage[]> {
    return imagesOfMessages(this.sql, owner, conversationId, messageIds).catch(rethrowAsStoreError);
  }

  async getDocument(owner: string, conversationId: string, documentId: string): Promise<StoredDocument | undefined> {
    return findDocument(this.sql, owner, conversationId, documentId).catch(rethrowAsStoreError);
  }

  async documentsOf(
    owner: string,
    conversationId: string,
    messageIds: string[],
    maxChars: number,
  ): Promise<StoredDocument[]> {
    return documentsOfMessages(this.sql, owner, conversationId, messageIds, maxChars).catch(rethrowAsStoreError);
  }

  async usage(owner: string): Promise<StoredUsage> {
    // stored_bytes is kept by migration 8's trigger; titles and instructions live on the row.
    const [usage] = await this.sql<StoredUsage[]>`
      SELECT count(*) AS conversations, (coalesce(sum(stored_bytes + octet_length(coalesce(title, ''))
          + octet_length(coalesce(system_prompt, ''))), 0)
          + (SELECT coalesce(sum(bytes), 0) FROM shares WHERE owner = ${owner}))::bigint AS bytes
        FROM conversations WHERE owner = ${owner}`.catch(rethrowAsStoreError);
    return usage ?? { conversations: 0, bytes: 0 };
  }

  async conversationUsage(owner: string, id: string): Promise<ConversationUsage | undefined> {
    const row = await conversationRow(this.sql, owner, id);
    return row && conversationUsageOf(row);
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}
