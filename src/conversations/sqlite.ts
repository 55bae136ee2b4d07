/**
 * The conversation store on SQLite (`node:sqlite`, which Bun and Deno both provide): one file in
 * DATA_DIR, write-ahead logging so reads never wait for a write.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { ConversationBusyError } from "../errors.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import type { StoredImage } from "./images.ts";
import { migrate } from "./migrations.ts";
import { type ConversationRow, type MessageRow, toMessage, toSummary, withImages } from "./rows.ts";
import { searchConversations } from "./search.ts";
import { findImage, imageRefs, imagesOfMessages, insertImages } from "./sqlite-images.ts";
import type {
  AnswerCheckpoint,
  Conversation,
  ConversationPage,
  ConversationStore,
  ConversationSummary,
  ExchangeEnd,
  ExchangeStart,
  Message,
  PageRequest,
  SearchHit,
} from "./store.ts";

/** The database file's name inside DATA_DIR. */
export const databaseFileName = "sluice.db";

/** Opens (creating it if needed) the database in `dataDir`, migrates it, and recovers interrupted exchanges. */
export async function openSqliteStore(dataDir: string, options: StoreOptions = {}): Promise<SqliteConversationStore> {
  mkdirSync(dataDir, { recursive: true });
  const store = new SqliteConversationStore(join(dataDir, databaseFileName), options);
  store.recovered = await store.recoverInterrupted();
  return store;
}

export interface StoreOptions {
  /** A cap on the database's size in bytes (STORE_MAX_BYTES); 0 or absent: none. */
  maxBytes?: number;
}

export class SqliteConversationStore implements ConversationStore {
  readonly #db: DatabaseSync;
  /** How many exchanges {@link openSqliteStore} found interrupted by a previous process. */
  recovered = 0;

  constructor(path: string, options: StoreOptions = {}) {
    this.#db = new DatabaseSync(path);
    // WAL: readers do not block the writer; busy_timeout: a second process (a restart that
    // overlaps the old one's shutdown) waits for the lock instead of failing at once.
    this.#db.exec("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
    migrate(this.#db);
    if (options.maxBytes) {
      const { page_size } = this.#db.prepare("PRAGMA page_size").get() as { page_size: number };
      // PRAGMA takes no bound parameters; the value is a whole number from the configuration.
      this.#db.exec(`PRAGMA max_page_count = ${Math.max(1, Math.floor(options.maxBytes / page_size))}`);
    }
  }

  async list(owner: string, { limit, before }: PageRequest): Promise<ConversationPage> {
    const after = before === undefined ? undefined : decodeCursor(before);
    const rows = (after
      ? this.#db
          .prepare(
            `SELECT * FROM conversations WHERE owner = :owner AND (updated_at < :t OR (updated_at = :t AND id < :id))
               ORDER BY updated_at DESC, id DESC LIMIT :n`,
          )
          .all({ owner, t: after.updatedAt, id: after.id, n: limit + 1 })
      : this.#db
          .prepare("SELECT * FROM conversations WHERE owner = ? ORDER BY updated_at DESC, id DESC LIMIT ?")
          .all(owner, limit + 1)) as unknown as ConversationRow[];
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const more = rows.length > limit && last !== undefined;
    return {
      conversations: page.map(toSummary),
      next_cursor: more ? encodeCursor({ updatedAt: last.updated_at, id: last.id }) : null,
    };
  }

  async create(owner: string, title: string | null = null): Promise<ConversationSummary> {
    const now = Date.now();
    const row: ConversationRow = {
      id: crypto.randomUUID(),
      title,
      created_at: now,
      updated_at: now,
      running_stream_id: null,
      running_content: null,
    };
    this.#db
      .prepare("INSERT INTO conversations (id, owner, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)")
      .run(row.id, owner, row.title, row.created_at, row.updated_at);
    return toSummary(row);
  }

  async get(owner: string, id: string): Promise<Conversation | undefined> {
    const row = this.#row(owner, id);
    if (!row) return undefined;
    const messages = this.#db
      .prepare("SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq")
      .all(id) as unknown as MessageRow[];
    const images = imageRefs(this.#db, id);
    return {
      ...toSummary(row),
      messages: withImages(messages.map(toMessage), images),
      running_stream_id: row.running_stream_id,
      system_prompt: row.system_prompt ?? null,
    };
  }

  async exists(owner: string, id: string): Promise<boolean> {
    return this.#row(owner, id) !== undefined;
  }

  async rename(owner: string, id: string, title: string): Promise<ConversationSummary | undefined> {
    this.#db
      .prepare("UPDATE conversations SET title = ?, updated_at = ? WHERE id = ? AND owner = ?")
      .run(title, Date.now(), id, owner);
    const row = this.#row(owner, id);
    return row && toSummary(row);
  }

  async delete(owner: string, id: string): Promise<boolean> {
    return this.#db.prepare("DELETE FROM conversations WHERE id = ? AND owner = ?").run(id, owner).changes > 0;
  }

  async beginExchange(owner: string, conversationId: string, start: ExchangeStart): Promise<boolean> {
    return this.#transaction(() => {
      const conversation = this.#row(owner, conversationId);
      if (!conversation) return false;
      // One exchange at a time: two at once would store their messages interleaved (Q Q A A).
      if (conversation.running_stream_id !== null) throw new ConversationBusyError();
      const [answer, question] = this.#db
        .prepare("SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq DESC LIMIT 2")
        .all(conversationId) as unknown as MessageRow[];
      const retry =
        answer?.role === "assistant" &&
        (answer.status === "error" || answer.status === "interrupted") &&
        question?.role === "user" &&
        question.content === start.userContent &&
        !start.images?.length;
      if (retry) this.#db.prepare("DELETE FROM messages WHERE seq = ?").run(answer.seq);
      else {
        const messageId = this.#insertMessage(conversationId, {
          role: "user",
          content: start.userContent,
          status: "complete",
        });
        insertImages(this.#db, conversationId, messageId, start.images ?? []);
      }
      this.#db
        .prepare(
          `UPDATE conversations SET running_stream_id = ?, running_content = NULL, updated_at = ?,
             title = COALESCE(title, ?) WHERE id = ?`,
        )
        .run(start.streamId, Date.now(), start.title, conversationId);
      return true;
    });
  }

  async finishExchange(owner: string, conversationId: string, end: ExchangeEnd): Promise<boolean> {
    return this.#transaction(() => {
      if (!this.#row(owner, conversationId)) return false;
      this.#insertMessage(conversationId, { role: "assistant", ...end });
      // Only clear our own stream: a newer exchange may already have replaced it.
      this.#db
        .prepare(
          `UPDATE conversations SET updated_at = ?,
             running_content = CASE WHEN running_stream_id = ? THEN NULL ELSE running_content END,
             running_stream_id = CASE WHEN running_stream_id = ? THEN NULL ELSE running_stream_id END
           WHERE id = ?`,
        )
        .run(Date.now(), end.streamId, end.streamId, conversationId);
      return true;
    });
  }

  async truncateAfter(owner: string, conversationId: string, messageId: string | null): Promise<boolean> {
    return this.#transaction(() => {
      const row = this.#row(owner, conversationId);
      if (!row || row.running_stream_id !== null) return false;
      const kept =
        messageId === null
          ? { seq: 0 }
          : (this.#db
              .prepare("SELECT seq FROM messages WHERE id = ? AND conversation_id = ?")
              .get(messageId, conversationId) as { seq: number } | undefined);
      if (!kept) return false;
      this.#db.prepare("DELETE FROM messages WHERE conversation_id = ? AND seq > ?").run(conversationId, kept.seq);
      return true;
    });
  }

  async checkpointAnswers(checkpoints: AnswerCheckpoint[]): Promise<number> {
    return this.#transaction(() => {
      const update = this.#db.prepare(
        "UPDATE conversations SET running_content = ? WHERE id = ? AND running_stream_id = ?",
      );
      let stored = 0;
      for (const { conversationId, streamId, content } of checkpoints)
        stored += Number(update.run(content, conversationId, streamId).changes);
      return stored;
    });
  }

  async recoverInterrupted(streamIds?: string[]): Promise<number> {
    return this.#transaction(() => {
      const running = (
        this.#db
          .prepare(
            "SELECT id, running_stream_id, running_content FROM conversations WHERE running_stream_id IS NOT NULL",
          )
          .all() as unknown as { id: string; running_stream_id: string; running_content: string | null }[]
      ).filter((row) => streamIds === undefined || streamIds.includes(row.running_stream_id));
      const clear = this.#db.prepare(
        "UPDATE conversations SET running_stream_id = NULL, running_content = NULL WHERE id = ? AND running_stream_id = ?",
      );
      for (const { id, running_stream_id, running_content } of running) {
        this.#insertMessage(id, { role: "assistant", content: running_content ?? "", status: "interrupted" });
        clear.run(id, running_stream_id);
      }
      return running.length;
    });
  }

  async runningStreamIds(): Promise<string[]> {
    const rows = this.#db
      .prepare("SELECT running_stream_id FROM conversations WHERE running_stream_id IS NOT NULL")
      .all() as unknown as { running_stream_id: string }[];
    return rows.map((row) => row.running_stream_id);
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }

  async search(owner: string, text: string, limit: number): Promise<SearchHit[]> {
    return searchConversations(this.#db, owner, text, limit);
  }

  async setSystemPrompt(owner: string, id: string, prompt: string | null): Promise<boolean> {
    const result = this.#db
      .prepare("UPDATE conversations SET system_prompt = ?, updated_at = ? WHERE id = ? AND owner = ?")
      .run(prompt, Date.now(), id, owner);
    return result.changes > 0;
  }

  async getImage(owner: string, conversationId: string, imageId: string): Promise<StoredImage | undefined> {
    return findImage(this.#db, owner, conversationId, imageId);
  }

  async imagesOf(owner: string, conversationId: string, messageIds: string[]): Promise<StoredImage[]> {
    return this.#row(owner, conversationId) ? imagesOfMessages(this.#db, conversationId, messageIds) : [];
  }

  #row(owner: string, id: string): ConversationRow | undefined {
    return this.#db.prepare("SELECT * FROM conversations WHERE id = ? AND owner = ?").get(id, owner) as
      | ConversationRow
      | undefined;
  }

  /** Inserts the message; returns its id. */
  #insertMessage(
    conversationId: string,
    message: Pick<Message, "role" | "content" | "status" | "error" | "figures">,
  ): string {
    const id = crypto.randomUUID();
    const figures = message.figures;
    this.#db
      .prepare(
        `INSERT INTO messages (id, conversation_id, role, content, status, error_code, error_message, error_retryable,
           created_at, ttft_ms, total_ms, completion_tokens, finish_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        conversationId,
        message.role,
        message.content,
        message.status,
        message.error?.code ?? null,
        message.error?.message ?? null,
        message.error ? Number(message.error.retryable) : null,
        Date.now(),
        figures?.ttft_ms ?? null,
        figures?.total_ms ?? null,
        figures?.completion_tokens ?? null,
        figures?.finish_reason ?? null,
      );
    return id;
  }

  /** Runs `work` in one write transaction (BEGIN IMMEDIATE takes the write lock up front). */
  #transaction<T>(work: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      // SQLite rolls back by itself on some failures (a full disk, an I/O error); a ROLLBACK then
      // would throw "no transaction is active" and hide the real cause.
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw error;
    }
  }
}
