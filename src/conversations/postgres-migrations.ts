/**
 * The PostgreSQL schema, as an ordered list of steps. The `schema_version` table records each
 * step that has run; opening a database runs the rest, each in its own transaction. Never edit a
 * shipped step: append a new one. The tables match SQLite's (migrations.ts) column for column, so
 * that rows.ts maps both; times are epoch milliseconds in BIGINT.
 */
import type { Sql, TransactionSql } from "postgres";
import { MigrationError } from "./migrations.ts";

export const postgresMigrations: readonly string[] = [
  // 1: conversations, owned by a user, and their messages, with the running answer's last
  // checkpoint (SQLite's steps 1 to 3 in one).
  `CREATE TABLE conversations (
     id TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     title TEXT,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL,
     running_stream_id TEXT,
     running_content TEXT
   );
   CREATE INDEX conversations_by_owner ON conversations (owner, updated_at DESC, id DESC);
   CREATE INDEX conversations_running ON conversations (running_stream_id) WHERE running_stream_id IS NOT NULL;
   CREATE TABLE messages (
     seq BIGSERIAL PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
     role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
     content TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('complete', 'cancelled', 'error', 'interrupted')),
     error_code TEXT,
     error_message TEXT,
     error_retryable SMALLINT,
     created_at BIGINT NOT NULL
   );
   CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);`,
  // 2: search (postgres-search.ts): every title and message keeps its folded words, and a GIN
  // index on their text-search vectors; the words are written by the store, never by SQL.
  `ALTER TABLE conversations ADD COLUMN title_words TEXT;
   ALTER TABLE messages ADD COLUMN search_words TEXT NOT NULL DEFAULT '';
   CREATE INDEX conversations_title_search ON conversations USING gin (to_tsvector('simple', coalesce(title_words, '')));
   CREATE INDEX messages_search ON messages USING gin (to_tsvector('simple', search_words));`,
  // 3: a conversation's own system prompt (SQLite's step 5).
  "ALTER TABLE conversations ADD COLUMN system_prompt TEXT;",
  // 4: an answer's figures from its generation's done event (SQLite's step 6).
  `ALTER TABLE messages ADD COLUMN ttft_ms BIGINT;
   ALTER TABLE messages ADD COLUMN total_ms BIGINT;
   ALTER TABLE messages ADD COLUMN completion_tokens BIGINT;
   ALTER TABLE messages ADD COLUMN finish_reason TEXT;`,
  // 5: a question's images, beside the messages (SQLite's step 7).
  `CREATE TABLE message_images (
     id TEXT PRIMARY KEY,
     message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
     conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
     position INTEGER NOT NULL,
     media_type TEXT NOT NULL,
     size INTEGER NOT NULL,
     data BYTEA NOT NULL
   );
   CREATE INDEX message_images_by_message ON message_images (message_id, position);`,
  // 6: a conversation is a tree (SQLite's step 8): each stored message goes under the one before it.
  `ALTER TABLE messages ADD COLUMN parent_id TEXT, ADD COLUMN model TEXT;
   UPDATE messages m SET parent_id = p.previous
     FROM (SELECT seq, lag(id) OVER (PARTITION BY conversation_id ORDER BY seq) AS previous FROM messages) p
    WHERE p.seq = m.seq AND p.previous IS NOT NULL;
   CREATE INDEX messages_by_parent ON messages (parent_id);
   ALTER TABLE conversations ADD COLUMN current_leaf_id TEXT, ADD COLUMN model TEXT,
     ADD COLUMN running_parent_id TEXT, ADD COLUMN running_continues_id TEXT, ADD COLUMN running_model TEXT;
   UPDATE conversations c SET current_leaf_id = (
     SELECT m.id FROM messages m WHERE m.conversation_id = c.id ORDER BY m.seq DESC LIMIT 1);
   UPDATE conversations SET running_parent_id = current_leaf_id WHERE running_stream_id IS NOT NULL;`,
  // 7: search by lexemes as written (postgres-search.ts): the index no longer runs the text-search
  // parser, whose idea of a word depends on the locale and which refuses a vector over 1 MB. Words
  // folded before this step may hold what NFKD made of `⑴` or `½` (parentheses, dots, commas,
  // slashes, runs of spaces) or be longer than search-words.ts keeps: they are split and cut the
  // way the store folds words now.
  `DROP INDEX messages_search;
   DROP INDEX conversations_title_search;
   UPDATE messages SET search_words = btrim(regexp_replace(
       regexp_replace(search_words, '[\\u2044\\u00b7(),. ]+', ' ', 'g'), '(\\S{100})\\S+', '\\1', 'g'))
     WHERE search_words ~ '[\\u2044\\u00b7(),.]|  |^ | $|\\S{101}';
   UPDATE conversations SET title_words = btrim(regexp_replace(
       regexp_replace(title_words, '[\\u2044\\u00b7(),. ]+', ' ', 'g'), '(\\S{100})\\S+', '\\1', 'g'))
     WHERE title_words ~ '[\\u2044\\u00b7(),.]|  |^ | $|\\S{101}';
   CREATE INDEX messages_lexemes ON messages USING gin (array_to_tsvector(string_to_array(search_words, ' ')));
   CREATE INDEX conversations_title_lexemes ON conversations
     USING gin (array_to_tsvector(string_to_array(coalesce(title_words, ''), ' ')));`,
  // 8: what each conversation stores, in bytes, kept by a trigger (SQLite's step 9).
  `ALTER TABLE conversations ADD COLUMN stored_bytes BIGINT NOT NULL DEFAULT 0;
   UPDATE conversations c SET stored_bytes =
     coalesce((SELECT sum(octet_length(content)) FROM messages WHERE conversation_id = c.id), 0)
     + coalesce((SELECT sum(size) FROM message_images WHERE conversation_id = c.id), 0);
   CREATE FUNCTION count_stored_bytes() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
   BEGIN
     IF TG_TABLE_NAME = 'messages' THEN
       UPDATE conversations SET stored_bytes = stored_bytes
         + CASE WHEN TG_OP = 'DELETE' THEN 0 ELSE octet_length(NEW.content) END
         - CASE WHEN TG_OP = 'INSERT' THEN 0 ELSE octet_length(OLD.content) END
       WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.conversation_id ELSE NEW.conversation_id END;
     ELSE
       UPDATE conversations SET stored_bytes = stored_bytes
         + CASE WHEN TG_OP = 'DELETE' THEN -OLD.size ELSE NEW.size END
       WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.conversation_id ELSE NEW.conversation_id END;
     END IF;
     RETURN NULL;
   END $$;
   CREATE TRIGGER messages_bytes AFTER INSERT OR DELETE OR UPDATE OF content ON messages
     FOR EACH ROW EXECUTE FUNCTION count_stored_bytes();
   CREATE TRIGGER message_images_bytes AFTER INSERT OR DELETE ON message_images
     FOR EACH ROW EXECUTE FUNCTION count_stored_bytes();`,
  // 9: an answer's tool steps, counted in what its conversation stores, and a conversation's
  // choice of tools (SQLite's step 10).
  `ALTER TABLE messages ADD COLUMN tool_steps TEXT;
   ALTER TABLE conversations ADD COLUMN tools SMALLINT, ADD COLUMN running_tool_steps TEXT;
   CREATE OR REPLACE FUNCTION count_stored_bytes() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
   BEGIN
     IF TG_TABLE_NAME = 'messages' THEN
       UPDATE conversations SET stored_bytes = stored_bytes
         + CASE WHEN TG_OP = 'DELETE' THEN 0
             ELSE octet_length(NEW.content) + coalesce(octet_length(NEW.tool_steps), 0) END
         - CASE WHEN TG_OP = 'INSERT' THEN 0
             ELSE octet_length(OLD.content) + coalesce(octet_length(OLD.tool_steps), 0) END
       WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.conversation_id ELSE NEW.conversation_id END;
     ELSE
       UPDATE conversations SET stored_bytes = stored_bytes
         + CASE WHEN TG_OP = 'DELETE' THEN -OLD.size ELSE NEW.size END
       WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.conversation_id ELSE NEW.conversation_id END;
     END IF;
     RETURN NULL;
   END $$;
   DROP TRIGGER messages_bytes ON messages;
   CREATE TRIGGER messages_bytes AFTER INSERT OR DELETE OR UPDATE OF content, tool_steps ON messages
     FOR EACH ROW EXECUTE FUNCTION count_stored_bytes();`,
  // 10: tokens: each answer's usage, each conversation's, the ledger by user, UTC day and model,
  // and budgets per user (SQLite's step 11).
  `ALTER TABLE messages ADD COLUMN usage_prompt_tokens BIGINT, ADD COLUMN usage_completion_tokens BIGINT,
     ADD COLUMN usage_estimated SMALLINT;
   ALTER TABLE conversations ADD COLUMN usage_prompt_tokens BIGINT NOT NULL DEFAULT 0,
     ADD COLUMN usage_completion_tokens BIGINT NOT NULL DEFAULT 0,
     ADD COLUMN usage_estimated_tokens BIGINT NOT NULL DEFAULT 0;
   CREATE TABLE token_usage (
     owner TEXT NOT NULL,
     day TEXT NOT NULL,
     model TEXT NOT NULL,
     prompt_tokens BIGINT NOT NULL DEFAULT 0,
     completion_tokens BIGINT NOT NULL DEFAULT 0,
     estimated_tokens BIGINT NOT NULL DEFAULT 0,
     answers BIGINT NOT NULL DEFAULT 0,
     PRIMARY KEY (owner, day, model)
   );
   CREATE INDEX token_usage_by_day ON token_usage (day);
   CREATE TABLE token_budgets (
     owner TEXT PRIMARY KEY,
     tokens_per_day BIGINT,
     tokens_per_month BIGINT,
     updated_at BIGINT NOT NULL
   );`,
  // 11: share links (SQLite's step 12).
  `CREATE TABLE shares (
     id TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
     title TEXT,
     created_at BIGINT NOT NULL,
     message_count INTEGER NOT NULL,
     bytes BIGINT NOT NULL,
     messages TEXT NOT NULL
   );
   CREATE INDEX shares_by_owner ON shares (owner, created_at DESC);
   CREATE INDEX shares_by_conversation ON shares (conversation_id);
   CREATE TABLE share_images (
     share_id TEXT NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
     id TEXT NOT NULL,
     media_type TEXT NOT NULL,
     size INTEGER NOT NULL,
     data BYTEA NOT NULL,
     PRIMARY KEY (share_id, id)
   );`,
  // 12: the audit log (SQLite's step 13).
  `CREATE TABLE audit_log (
     id BIGSERIAL PRIMARY KEY,
     at BIGINT NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     target TEXT,
     details TEXT NOT NULL,
     address TEXT
   );`,
  // 13: a question's documents, their text counted in the stored bytes (SQLite's step 14).
  `CREATE TABLE message_documents (
     id TEXT PRIMARY KEY,
     message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
     conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
     position INTEGER NOT NULL,
     name TEXT NOT NULL,
     media_type TEXT NOT NULL,
     size BIGINT NOT NULL,
     pages INTEGER,
     characters BIGINT NOT NULL,
     text TEXT NOT NULL
   );
   CREATE INDEX message_documents_by_message ON message_documents (message_id, position);
   CREATE FUNCTION count_document_bytes() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
   BEGIN
     UPDATE conversations SET stored_bytes = stored_bytes
       + CASE WHEN TG_OP = 'DELETE' THEN -octet_length(OLD.text) ELSE octet_length(NEW.text) END
     WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.conversation_id ELSE NEW.conversation_id END;
     RETURN NULL;
   END $$;
   CREATE TRIGGER message_documents_bytes AFTER INSERT OR DELETE ON message_documents
     FOR EACH ROW EXECUTE FUNCTION count_document_bytes();`,
];

// Any constant will do: it only has to be the same for every Sluice process sharing a database,
// so that two instances starting together migrate one after the other.
const MIGRATION_LOCK = 0x5c1ce;

/** The highest step applied, under the migration lock of the transaction `tx`. */
async function currentVersion(tx: TransactionSql, schema: string | undefined): Promise<number> {
  await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
  // Under the lock too: two CREATE … IF NOT EXISTS at once can still collide in the catalog.
  if (schema) await tx`CREATE SCHEMA IF NOT EXISTS ${tx(schema)}`;
  await tx`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`;
  const [row] = await tx<{ version: number | null }[]>`SELECT max(version) AS version FROM schema_version`;
  return row?.version ?? 0;
}

/**
 * Brings the database up to the latest schema (or only through `steps`, to build a database as an
 * older release left it), in the connections' search_path (`schema`, created when missing, when
 * the store was given one); returns the version it was at.
 */
export async function migratePostgres(
  sql: Sql,
  schema?: string,
  steps: readonly string[] = postgresMigrations,
): Promise<number> {
  let from: number | undefined;
  for (;;) {
    // One transaction per step: a failed step leaves the database at the step before it.
    const done = await sql.begin(async (tx) => {
      const version = await currentVersion(tx, schema);
      from ??= version;
      if (version > postgresMigrations.length) {
        throw new MigrationError(
          `schema version ${version} is newer than this release knows (${postgresMigrations.length})`,
        );
      }
      if (version >= steps.length) return true;
      try {
        // The simple query protocol: a step is several statements, and has no parameters.
        await tx.unsafe(steps[version] as string).simple();
      } catch (cause) {
        throw new MigrationError(`migration ${version + 1} failed`, { cause });
      }
      await tx`INSERT INTO schema_version (version, applied_at) VALUES (${version + 1}, ${Date.now()})`;
      return false;
    });
    if (done) return from ?? 0;
  }
}
