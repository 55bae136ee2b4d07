/**
 * The conversation store on PostgreSQL (DATABASE_URL), through the `postgres` client, which runs
 * on Bun and Deno alike: a pool of DATABASE_POOL_SIZE connections, and every value sent as a
 * bound parameter. The tables and their semantics are SQLite's (sqlite.ts); row locks take the
 * place of SQLite's one write lock.
 */
import postgres, { type Sql, type TransactionSql } from "postgres";
import { ConversationBusyError } from "../errors.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import type { StoredImage } from "./images.ts";
import { MigrationError } from "./migrations.ts";
import { rethrowAsStoreError } from "./postgres-errors.ts";
import { findImage, imageRefs, imagesOfMessages, insertImages } from "./postgres-images.ts";
import { migratePostgres } from "./postgres-migrations.ts";
import { searchPostgres } from "./postgres-search.ts";
import { type ConversationRow, type MessageRow, toMessage, toSummary, withImages } from "./rows.ts";
import { searchWords } from "./search-words.ts";
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
  const sql: Sql = postgres(url, {
    max: options.poolSize,
    // BIGINT (times in epoch ms, message seq) as a number: every value stays far below 2^53.
    types: { bigint: { to: 20, from: [20], serialize: (n: number) => String(n), parse: (s: string) => Number(s) } },
    ...(options.schema ? { connection: { search_path: options.schema } } : {}),
    // "already exists, skipping" notices of CREATE … IF NOT EXISTS are expected, not news.
    onnotice: () => {},
  });
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

type Tx = TransactionSql;

export class PostgresConversationStore implements ConversationStore {
  /** How many exchanges {@link openPostgresStore} found interrupted by a previous process. */
  recovered = 0;

  constructor(readonly sql: Sql) {}

  async list(owner: string, { limit, before }: PageRequest): Promise<ConversationPage> {
    const after = before === undefined ? undefined : decodeCursor(before);
    const sql = this.sql;
    const rows = await sql<ConversationRow[]>`
      SELECT * FROM conversations WHERE owner = ${owner}
        ${after ? sql`AND (updated_at < ${after.updatedAt} OR (updated_at = ${after.updatedAt} AND id < ${after.id}))` : sql``}
      ORDER BY updated_at DESC, id DESC LIMIT ${limit + 1}`.catch(rethrowAsStoreError);
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
    const id = crypto.randomUUID();
    const row: ConversationRow = {
      id,
      title,
      created_at: now,
      updated_at: now,
      running_stream_id: null,
      running_content: null,
    };
    await this.sql`INSERT INTO conversations (id, owner, title, title_words, created_at, updated_at)
      VALUES (${id}, ${owner}, ${title}, ${searchWords(title)}, ${now}, ${now})`.catch(rethrowAsStoreError);
    return toSummary(row);
  }

  async get(owner: string, id: string): Promise<Conversation | undefined> {
    const row = await this.#row(this.sql, owner, id);
    if (!row) return undefined;
    const messages = await this.sql<
      MessageRow[]
    >`SELECT * FROM messages WHERE conversation_id = ${id} ORDER BY seq`.catch(rethrowAsStoreError);
    const images = await imageRefs(this.sql, id).catch(rethrowAsStoreError);
    return {
      ...toSummary(row),
      messages: withImages(messages.map(toMessage), images),
      running_stream_id: row.running_stream_id,
      system_prompt: row.system_prompt ?? null,
    };
  }

  async exists(owner: string, id: string): Promise<boolean> {
    return (await this.#row(this.sql, owner, id)) !== undefined;
  }

  async rename(owner: string, id: string, title: string): Promise<ConversationSummary | undefined> {
    const [row] = await this.sql<ConversationRow[]>`
      UPDATE conversations SET title = ${title}, title_words = ${searchWords(title)}, updated_at = ${Date.now()} WHERE id = ${id} AND owner = ${owner}
      RETURNING *`.catch(rethrowAsStoreError);
    return row && toSummary(row);
  }

  async delete(owner: string, id: string): Promise<boolean> {
    return (
      (await this.sql`DELETE FROM conversations WHERE id = ${id} AND owner = ${owner}`.catch(rethrowAsStoreError))
        .count > 0
    );
  }

  async beginExchange(owner: string, conversationId: string, start: ExchangeStart): Promise<boolean> {
    return this.#transaction(async (tx) => {
      const conversation = await this.#row(tx, owner, conversationId, true);
      if (!conversation) return false;
      // One exchange at a time: two at once would store their messages interleaved (Q Q A A).
      if (conversation.running_stream_id !== null) throw new ConversationBusyError();
      const [answer, question] = await tx<MessageRow[]>`
        SELECT * FROM messages WHERE conversation_id = ${conversationId} ORDER BY seq DESC LIMIT 2`;
      const retry =
        answer?.role === "assistant" &&
        (answer.status === "error" || answer.status === "interrupted") &&
        question?.role === "user" &&
        question.content === start.userContent &&
        !start.images?.length;
      if (retry) await tx`DELETE FROM messages WHERE seq = ${answer.seq}`;
      else {
        const question = { role: "user" as const, content: start.userContent, status: "complete" as const };
        const messageId = await insertMessage(tx, conversationId, question);
        await insertImages(tx, conversationId, messageId, start.images ?? []);
      }
      // The right-hand sides read the row as it was: title_words follows only a title set here.
      await tx`UPDATE conversations SET running_stream_id = ${start.streamId}, running_content = NULL,
          updated_at = ${Date.now()}, title = COALESCE(title, ${start.title}),
          title_words = CASE WHEN title IS NULL THEN ${searchWords(start.title)} ELSE title_words END
        WHERE id = ${conversationId}`;
      return true;
    });
  }

  async finishExchange(owner: string, conversationId: string, end: ExchangeEnd): Promise<boolean> {
    return this.#transaction(async (tx) => {
      if (!(await this.#row(tx, owner, conversationId, true))) return false;
      await insertMessage(tx, conversationId, { role: "assistant", ...end });
      // Only clear our own stream: a newer exchange may already have replaced it.
      await tx`UPDATE conversations SET updated_at = ${Date.now()},
          running_content = CASE WHEN running_stream_id = ${end.streamId} THEN NULL ELSE running_content END,
          running_stream_id = CASE WHEN running_stream_id = ${end.streamId} THEN NULL ELSE running_stream_id END
        WHERE id = ${conversationId}`;
      return true;
    });
  }

  async truncateAfter(owner: string, conversationId: string, messageId: string | null): Promise<boolean> {
    return this.#transaction(async (tx) => {
      const row = await this.#row(tx, owner, conversationId, true);
      if (!row || row.running_stream_id !== null) return false;
      const [kept] =
        messageId === null
          ? [{ seq: 0 }]
          : await tx<{ seq: number }[]>`
              SELECT seq FROM messages WHERE id = ${messageId} AND conversation_id = ${conversationId}`;
      if (!kept) return false;
      await tx`DELETE FROM messages WHERE conversation_id = ${conversationId} AND seq > ${kept.seq}`;
      return true;
    });
  }

  async checkpointAnswers(checkpoints: AnswerCheckpoint[]): Promise<number> {
    return this.#transaction(async (tx) => {
      let stored = 0;
      for (const { conversationId, streamId, content } of checkpoints) {
        const result = await tx`UPDATE conversations SET running_content = ${content}
          WHERE id = ${conversationId} AND running_stream_id = ${streamId}`;
        stored += result.count;
      }
      return stored;
    });
  }

  async recoverInterrupted(streamIds?: string[]): Promise<number> {
    if (streamIds?.length === 0) return 0;
    return this.#transaction(async (tx) => {
      const only = streamIds ? tx`AND running_stream_id IN ${tx(streamIds)}` : tx``;
      const running = await tx<{ id: string; running_content: string | null }[]>`
        SELECT id, running_content FROM conversations WHERE running_stream_id IS NOT NULL ${only} FOR UPDATE`;
      for (const { id, running_content } of running)
        await insertMessage(tx, id, { role: "assistant", content: running_content ?? "", status: "interrupted" });
      if (running.length === 0) return 0;
      await tx`UPDATE conversations SET running_stream_id = NULL, running_content = NULL
        WHERE id IN ${tx(running.map((row) => row.id))}`;
      return running.length;
    });
  }

  async runningStreamIds(): Promise<string[]> {
    const rows = await this.sql<{ running_stream_id: string }[]>`
      SELECT running_stream_id FROM conversations WHERE running_stream_id IS NOT NULL`.catch(rethrowAsStoreError);
    return rows.map((row) => row.running_stream_id);
  }

  async search(owner: string, text: string, limit: number): Promise<SearchHit[]> {
    return searchPostgres(this.sql, owner, text, limit).catch(rethrowAsStoreError);
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }

  async setSystemPrompt(owner: string, id: string, prompt: string | null): Promise<boolean> {
    const result = await this.sql`UPDATE conversations SET system_prompt = ${prompt}, updated_at = ${Date.now()}
      WHERE id = ${id} AND owner = ${owner}`.catch(rethrowAsStoreError);
    return result.count > 0;
  }

  async getImage(owner: string, conversationId: string, imageId: string): Promise<StoredImage | undefined> {
    return findImage(this.sql, owner, conversationId, imageId).catch(rethrowAsStoreError);
  }

  async imagesOf(owner: string, conversationId: string, messageIds: string[]): Promise<StoredImage[]> {
    return imagesOfMessages(this.sql, owner, conversationId, messageIds).catch(rethrowAsStoreError);
  }

  /** The conversation's row; `lock` holds it until the transaction ends, so exchanges on it take turns. */
  async #row(sql: Sql | Tx, owner: string, id: string, lock = false): Promise<ConversationRow | undefined> {
    const [row] = await sql<ConversationRow[]>`
      SELECT * FROM conversations WHERE id = ${id} AND owner = ${owner} ${lock ? sql`FOR UPDATE` : sql``}`.catch(
      rethrowAsStoreError,
    );
    return row;
  }

  #transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return (this.sql.begin((tx) => work(tx)) as Promise<T>).catch(rethrowAsStoreError);
  }
}

async function insertMessage(
  tx: Tx,
  conversationId: string,
  message: Pick<Message, "role" | "content" | "status" | "error" | "figures">,
): Promise<string> {
  const { error, figures } = message;
  const id = crypto.randomUUID();
  await tx`INSERT INTO messages (id, conversation_id, role, content, status, error_code, error_message,
      error_retryable, created_at, search_words, ttft_ms, total_ms, completion_tokens, finish_reason)
    VALUES (${id}, ${conversationId}, ${message.role}, ${message.content}, ${message.status},
      ${error?.code ?? null}, ${error?.message ?? null}, ${error ? Number(error.retryable) : null}, ${Date.now()},
      ${searchWords(message.content)}, ${figures?.ttft_ms ?? null}, ${figures?.total_ms ?? null},
      ${figures?.completion_tokens ?? null}, ${figures?.finish_reason ?? null})`;
  return id;
}
