/**
 * The conversation store on SQLite: one file in DATA_DIR (sqlite-database.ts), write-ahead logging
 * so reads never wait for a write. The conversations' own reads and writes are here; an exchange's
 * writes are in sqlite-exchanges.ts, its tree's reads and branch writes in sqlite-tree.ts, images in
 * sqlite-images.ts, documents in sqlite-documents.ts, search in sqlite-search.ts; the tables beside
 * the conversations (token ledger, share links, audit log) are reached through the class it extends
 * (side-tables.ts). The server runs it in a worker thread (sqlite-worker-proxy.ts).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import type { ConversationPage, ConversationSummary, PageRequest } from "./conversation-list.ts";
import { type ConversationRow, conversationUsageOf, newConversationRow, toSummary } from "./conversation-rows.ts";
import type { StoredDocument } from "./documents.ts";
import type { StoredImage } from "./images.ts";
import { pageFromRows, pageStart } from "./paging.ts";
import { readConversation } from "./path-read.ts";
import { type SideTableQueries, SideTables } from "./side-tables.ts";
import * as admin from "./sqlite-admin.ts";
import { conversationRow, openDatabase, type StoreOptions } from "./sqlite-database.ts";
import { documentsOfMessages, findDocument } from "./sqlite-documents.ts";
import * as exchanges from "./sqlite-exchanges.ts";
import { findImage, imagesOfMessages } from "./sqlite-images.ts";
import { searchConversations } from "./sqlite-search.ts";
import * as shares from "./sqlite-shares.ts";
import * as tokens from "./sqlite-token-usage.ts";
import * as branches from "./sqlite-tree.ts";
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

export type { StoreOptions };

/** The database file's name inside DATA_DIR. */
export const databaseFileName = "sluice.db";

/** Opens (creating it if needed) the database in `dataDir`, migrates it, and recovers interrupted exchanges. */
export async function openSqliteStore(dataDir: string, options: StoreOptions = {}): Promise<SqliteConversationStore> {
  mkdirSync(dataDir, { recursive: true });
  const store = new SqliteConversationStore(join(dataDir, databaseFileName), options);
  store.recovered = await store.recoverInterrupted();
  return store;
}

/** The SQL of the tables beside the conversations (side-tables.ts). */
const sideTableQueries: SideTableQueries<DatabaseSync> = { ...tokens, ...shares, ...admin };

export class SqliteConversationStore extends SideTables<DatabaseSync> implements ConversationStore {
  readonly #searchTimeoutMs: number | undefined;
  /** How many exchanges {@link openSqliteStore} found interrupted by a previous process. */
  recovered = 0;

  constructor(path: string, options: StoreOptions = {}) {
    super(openDatabase(path, options), sideTableQueries);
    this.#searchTimeoutMs = options.searchTimeoutMs;
  }

  async list(owner: string, { limit, before }: PageRequest): Promise<ConversationPage> {
    const after = pageStart(before);
    const rows = (after
      ? this.db
          .prepare(
            `SELECT * FROM conversations WHERE owner = :owner AND (updated_at < :t OR (updated_at = :t AND id < :id))
               ORDER BY updated_at DESC, id DESC LIMIT :n`,
          )
          .all({ owner, t: after.updatedAt, id: after.id, n: limit + 1 })
      : this.db
          .prepare("SELECT * FROM conversations WHERE owner = ? ORDER BY updated_at DESC, id DESC LIMIT ?")
          .all(owner, limit + 1)) as unknown as ConversationRow[];
    return pageFromRows(rows, limit);
  }

  async create(owner: string, title: string | null = null, id?: string): Promise<ConversationSummary> {
    const row = newConversationRow(title, id);
    this.db
      .prepare("INSERT INTO conversations (id, owner, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
      .run(row.id, owner, row.title, row.created_at, row.updated_at);
    return toSummary(row);
  }

  async get(owner: string, id: string, read?: PathRead): Promise<Conversation | undefined> {
    return readConversation(this, owner, id, read);
  }

  async tree(owner: string, id: string): Promise<ConversationTree | undefined> {
    return branches.treeOf(this.db, owner, id);
  }

  async messages(owner: string, id: string, ids: string[]): Promise<StoredMessage[]> {
    return branches.messagesOf(this.db, owner, id, ids);
  }

  async setCurrentLeaf(owner: string, id: string, messageId: string): Promise<string | undefined> {
    return branches.setCurrentLeaf(this.db, owner, id, messageId);
  }

  async deleteBranch(owner: string, id: string, messageId: string): Promise<boolean> {
    return branches.deleteBranch(this.db, owner, id, messageId);
  }

  async exists(owner: string, id: string): Promise<boolean> {
    return conversationRow(this.db, owner, id) !== undefined;
  }

  async rename(owner: string, id: string, title: string): Promise<ConversationSummary | undefined> {
    this.db
      .prepare("UPDATE conversations SET title = ?, updated_at = ? WHERE id = ? AND owner = ?")
      .run(title, Date.now(), id, owner);
    const row = conversationRow(this.db, owner, id);
    return row && toSummary(row);
  }

  async delete(owner: string, id: string): Promise<boolean> {
    return this.db.prepare("DELETE FROM conversations WHERE id = ? AND owner = ?").run(id, owner).changes > 0;
  }

  async setSystemPrompt(owner: string, id: string, prompt: string | null): Promise<boolean> {
    const result = this.db
      .prepare("UPDATE conversations SET system_prompt = ?, updated_at = ? WHERE id = ? AND owner = ?")
      .run(prompt, Date.now(), id, owner);
    return result.changes > 0;
  }

  async setModel(owner: string, id: string, model: string | null): Promise<boolean> {
    const result = this.db
      .prepare("UPDATE conversations SET model = ?, updated_at = ? WHERE id = ? AND owner = ?")
      .run(model, Date.now(), id, owner);
    return result.changes > 0;
  }

  async setTools(owner: string, id: string, tools: boolean | null): Promise<boolean> {
    const result = this.db
      .prepare("UPDATE conversations SET tools = ?, updated_at = ? WHERE id = ? AND owner = ?")
      .run(tools === null ? null : Number(tools), Date.now(), id, owner);
    return result.changes > 0;
  }

  async beginExchange(owner: string, conversationId: string, start: ExchangeStart): Promise<boolean> {
    return exchanges.beginExchange(this.db, owner, conversationId, start);
  }

  async finishExchange(owner: string, conversationId: string, end: ExchangeEnd): Promise<boolean> {
    return exchanges.finishExchange(this.db, owner, conversationId, end);
  }

  async checkpointAnswers(checkpoints: AnswerCheckpoint[]): Promise<number> {
    return exchanges.checkpointAnswers(this.db, checkpoints);
  }

  async recoverInterrupted(streamIds?: string[]): Promise<number> {
    return exchanges.recoverInterrupted(this.db, streamIds);
  }

  async runningStreamIds(): Promise<string[]> {
    return exchanges.runningStreamIds(this.db);
  }

  async search(owner: string, text: string, limit: number): Promise<SearchHit[]> {
    return searchConversations(this.db, owner, text, limit, this.#searchTimeoutMs);
  }

  async getImage(owner: string, conversationId: string, imageId: string): Promise<StoredImage | undefined> {
    return findImage(this.db, owner, conversationId, imageId);
  }

  async imagesOf(owner: string, conversationId: string, messageIds: string[]): Promise<StoredImage[]> {
    return imagesOfMessages(this.db, owner, conversationId, messageIds);
  }

  async getDocument(owner: string, conversationId: string, documentId: string): Promise<StoredDocument | undefined> {
    return findDocument(this.db, owner, conversationId, documentId);
  }

  async documentsOf(
    owner: string,
    conversationId: string,
    messageIds: string[],
    maxChars: number,
  ): Promise<StoredDocument[]> {
    return documentsOfMessages(this.db, owner, conversationId, messageIds, maxChars);
  }

  async usage(owner: string): Promise<StoredUsage> {
    // stored_bytes is kept by migration 9's triggers; titles and instructions live on the row.
    return this.db
      .prepare(
        `SELECT count(*) AS conversations, coalesce(sum(stored_bytes + length(CAST(coalesce(title, '') AS BLOB))
           + length(CAST(coalesce(system_prompt, '') AS BLOB))), 0)
           + (SELECT coalesce(sum(bytes), 0) FROM shares WHERE owner = :owner) AS bytes
         FROM conversations WHERE owner = :owner`,
      )
      .get({ owner }) as unknown as StoredUsage;
  }

  async conversationUsage(owner: string, id: string): Promise<ConversationUsage | undefined> {
    const row = conversationRow(this.db, owner, id);
    return row && conversationUsageOf(row);
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
