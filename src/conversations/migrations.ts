/**
 * The SQLite schema, as an ordered list of steps. `PRAGMA user_version` records how many have
 * run; opening a database runs the rest, each in its own transaction. Never edit a shipped step:
 * append a new one.
 */
import type { DatabaseSync } from "node:sqlite";

export const migrations: readonly string[] = [
  // 1: conversations and their messages.
  `CREATE TABLE conversations (
     id TEXT PRIMARY KEY,
     title TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     running_stream_id TEXT
   );
   CREATE INDEX conversations_by_update ON conversations (updated_at DESC, id DESC);
   CREATE INDEX conversations_running ON conversations (running_stream_id) WHERE running_stream_id IS NOT NULL;
   CREATE TABLE messages (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
     role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
     content TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('complete', 'cancelled', 'error', 'interrupted')),
     error_code TEXT,
     error_message TEXT,
     error_retryable INTEGER,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);`,
  // 2: every conversation belongs to a user. Rows from before access control belong to the one
  // user of AUTH=none ("local").
  `ALTER TABLE conversations ADD COLUMN owner TEXT NOT NULL DEFAULT 'local';
   DROP INDEX conversations_by_update;
   CREATE INDEX conversations_by_owner ON conversations (owner, updated_at DESC, id DESC);`,
  // 3: the running answer's text as last checkpointed, so a crash keeps what was shown.
  "ALTER TABLE conversations ADD COLUMN running_content TEXT;",
  // 4: full-text search over titles and message text (sqlite-search.ts). Messages are indexed in place
  // (an external-content table keyed by their stable `seq`); titles get a small table of their
  // own, because a conversation's rowid is not stable across VACUUM. Triggers keep both in step
  // with every write, cascaded deletes included; the INSERTs index the rows already stored.
  `CREATE VIRTUAL TABLE messages_fts USING fts5 (
     content, content = 'messages', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 2'
   );
   CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
     INSERT INTO messages_fts (rowid, content) VALUES (new.seq, new.content);
   END;
   CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
     INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.seq, old.content);
   END;
   CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
     INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.seq, old.content);
     INSERT INTO messages_fts (rowid, content) VALUES (new.seq, new.content);
   END;
   INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
   CREATE VIRTUAL TABLE titles_fts USING fts5 (
     conversation_id UNINDEXED, title, tokenize = 'unicode61 remove_diacritics 2'
   );
   CREATE TRIGGER titles_fts_insert AFTER INSERT ON conversations WHEN new.title IS NOT NULL BEGIN
     INSERT INTO titles_fts (conversation_id, title) VALUES (new.id, new.title);
   END;
   CREATE TRIGGER titles_fts_delete AFTER DELETE ON conversations BEGIN
     DELETE FROM titles_fts WHERE conversation_id = old.id;
   END;
   CREATE TRIGGER titles_fts_update AFTER UPDATE OF title ON conversations
     WHEN old.title IS NOT new.title BEGIN
     DELETE FROM titles_fts WHERE conversation_id = old.id;
     INSERT INTO titles_fts (conversation_id, title) SELECT new.id, new.title WHERE new.title IS NOT NULL;
   END;
   INSERT INTO titles_fts (conversation_id, title) SELECT id, title FROM conversations WHERE title IS NOT NULL;`,
  // 5: a conversation's own system prompt (custom instructions); NULL: the server's SYSTEM_PROMPT.
  "ALTER TABLE conversations ADD COLUMN system_prompt TEXT;",
  // 6: an answer's figures from its generation's done event, shown under it after a reload.
  `ALTER TABLE messages ADD COLUMN ttft_ms INTEGER;
   ALTER TABLE messages ADD COLUMN total_ms INTEGER;
   ALTER TABLE messages ADD COLUMN completion_tokens INTEGER;
   ALTER TABLE messages ADD COLUMN finish_reason TEXT;`,
  // 7: a question's images, in a table of their own so messages stay small for context assembly
  // and search; they go with their message (a retry, regenerate or edit deletes it) or conversation.
  `CREATE TABLE message_images (
     id TEXT PRIMARY KEY,
     message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
     conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
     position INTEGER NOT NULL,
     media_type TEXT NOT NULL,
     size INTEGER NOT NULL,
     data BLOB NOT NULL
   );
   CREATE INDEX message_images_by_message ON message_images (message_id, position);`,
  // 8: a conversation is a tree (tree.ts): every message has a parent, and the conversation keeps
  // the leaf of the branch it shows; the running answer knows its question (or, for Continue, its
  // answer); an answer keeps its model, a conversation its chosen one. Every conversation stored
  // so far becomes one branch, each message under the one before it, its last message the leaf.
  `ALTER TABLE messages ADD COLUMN parent_id TEXT;
   ALTER TABLE messages ADD COLUMN model TEXT;
   UPDATE messages SET parent_id = (
     SELECT p.id FROM messages p WHERE p.conversation_id = messages.conversation_id AND p.seq < messages.seq
      ORDER BY p.seq DESC LIMIT 1);
   CREATE INDEX messages_by_parent ON messages (parent_id);
   ALTER TABLE conversations ADD COLUMN current_leaf_id TEXT;
   ALTER TABLE conversations ADD COLUMN model TEXT;
   ALTER TABLE conversations ADD COLUMN running_parent_id TEXT;
   ALTER TABLE conversations ADD COLUMN running_continues_id TEXT;
   ALTER TABLE conversations ADD COLUMN running_model TEXT;
   UPDATE conversations SET current_leaf_id = (
     SELECT m.id FROM messages m WHERE m.conversation_id = conversations.id ORDER BY m.seq DESC LIMIT 1);
   UPDATE conversations SET running_parent_id = current_leaf_id WHERE running_stream_id IS NOT NULL;`,
  // 9: what each conversation stores, in bytes (its messages' UTF-8 text and its images), kept by
  // triggers on every write, cascaded deletes included, so a user's usage (quotas.ts) is one sum
  // over their conversations rather than a read of everything they stored.
  `ALTER TABLE conversations ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;
   UPDATE conversations SET stored_bytes =
     coalesce((SELECT sum(length(CAST(content AS BLOB))) FROM messages WHERE conversation_id = conversations.id), 0)
     + coalesce((SELECT sum(size) FROM message_images WHERE conversation_id = conversations.id), 0);
   CREATE TRIGGER messages_bytes_insert AFTER INSERT ON messages BEGIN
     UPDATE conversations SET stored_bytes = stored_bytes + length(CAST(new.content AS BLOB)) WHERE id = new.conversation_id;
   END;
   CREATE TRIGGER messages_bytes_delete AFTER DELETE ON messages BEGIN
     UPDATE conversations SET stored_bytes = stored_bytes - length(CAST(old.content AS BLOB)) WHERE id = old.conversation_id;
   END;
   CREATE TRIGGER messages_bytes_update AFTER UPDATE OF content ON messages BEGIN
     UPDATE conversations SET stored_bytes = stored_bytes - length(CAST(old.content AS BLOB))
       + length(CAST(new.content AS BLOB)) WHERE id = new.conversation_id;
   END;
   CREATE TRIGGER message_images_bytes_insert AFTER INSERT ON message_images BEGIN
     UPDATE conversations SET stored_bytes = stored_bytes + new.size WHERE id = new.conversation_id;
   END;
   CREATE TRIGGER message_images_bytes_delete AFTER DELETE ON message_images BEGIN
     UPDATE conversations SET stored_bytes = stored_bytes - old.size WHERE id = old.conversation_id;
   END;`,
  // 10: tools (src/tools/): an answer keeps its tool steps (JSON: each call, its arguments and its
  // result), which count in what its conversation stores, and a running answer's are checkpointed
  // with its text; a conversation may turn tools on or off (NULL: TOOLS_DEFAULT).
  `ALTER TABLE messages ADD COLUMN tool_steps TEXT;
   ALTER TABLE conversations ADD COLUMN tools INTEGER;
   ALTER TABLE conversations ADD COLUMN running_tool_steps TEXT;
   DROP TRIGGER messages_bytes_insert;
   DROP TRIGGER messages_bytes_delete;
   DROP TRIGGER messages_bytes_update;
   CREATE TRIGGER messages_bytes_insert AFTER INSERT ON messages BEGIN
     UPDATE conversations SET stored_bytes = stored_bytes + length(CAST(new.content AS BLOB))
       + coalesce(length(CAST(new.tool_steps AS BLOB)), 0) WHERE id = new.conversation_id;
   END;
   CREATE TRIGGER messages_bytes_delete AFTER DELETE ON messages BEGIN
     UPDATE conversations SET stored_bytes = stored_bytes - length(CAST(old.content AS BLOB))
       - coalesce(length(CAST(old.tool_steps AS BLOB)), 0) WHERE id = old.conversation_id;
   END;
   CREATE TRIGGER messages_bytes_update AFTER UPDATE OF content, tool_steps ON messages BEGIN
     UPDATE conversations SET stored_bytes = stored_bytes
       - length(CAST(old.content AS BLOB)) - coalesce(length(CAST(old.tool_steps AS BLOB)), 0)
       + length(CAST(new.content AS BLOB)) + coalesce(length(CAST(new.tool_steps AS BLOB)), 0)
       WHERE id = new.conversation_id;
   END;`,
  // 11: tokens. Each answer keeps its usage (reported by the model, or estimated), each
  // conversation what its answers cost (those since replaced or deleted included); the ledger
  // counts every model call by user, UTC day and model (usage/), and a user's budget may differ
  // from the settings' (NULL: the setting's).
  `ALTER TABLE messages ADD COLUMN usage_prompt_tokens INTEGER;
   ALTER TABLE messages ADD COLUMN usage_completion_tokens INTEGER;
   ALTER TABLE messages ADD COLUMN usage_estimated INTEGER;
   ALTER TABLE conversations ADD COLUMN usage_prompt_tokens INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE conversations ADD COLUMN usage_completion_tokens INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE conversations ADD COLUMN usage_estimated_tokens INTEGER NOT NULL DEFAULT 0;
   CREATE TABLE token_usage (
     owner TEXT NOT NULL,
     day TEXT NOT NULL,
     model TEXT NOT NULL,
     prompt_tokens INTEGER NOT NULL DEFAULT 0,
     completion_tokens INTEGER NOT NULL DEFAULT 0,
     estimated_tokens INTEGER NOT NULL DEFAULT 0,
     answers INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (owner, day, model)
   );
   CREATE INDEX token_usage_by_day ON token_usage (day);
   CREATE TABLE token_budgets (
     owner TEXT PRIMARY KEY,
     tokens_per_day INTEGER,
     tokens_per_month INTEGER,
     updated_at INTEGER NOT NULL
   );`,
  // 12: share links: a snapshot of a conversation's branch (its messages as JSON) and copies of
  // its images, gone with the link or with the conversation.
  `CREATE TABLE shares (
     id TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
     title TEXT,
     created_at INTEGER NOT NULL,
     message_count INTEGER NOT NULL,
     bytes INTEGER NOT NULL,
     messages TEXT NOT NULL
   );
   CREATE INDEX shares_by_owner ON shares (owner, created_at DESC);
   CREATE INDEX shares_by_conversation ON shares (conversation_id);
   CREATE TABLE share_images (
     share_id TEXT NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
     id TEXT NOT NULL,
     media_type TEXT NOT NULL,
     size INTEGER NOT NULL,
     data BLOB NOT NULL,
     PRIMARY KEY (share_id, id)
   );`,
  // 13: the audit log: one row per admin action (who, what, on whom, when, from where), appended
  // only (audit-log.ts); its details are the action's own fields as JSON.
  `CREATE TABLE audit_log (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     target TEXT,
     details TEXT NOT NULL,
     address TEXT
   );`,
  // 14: a question's documents (documents.ts): their text, beside the messages as images are, so
  // reading a thread or searching it never loads them; they go with their message or conversation.
  // `characters` is the text's length as JavaScript counts it (UTF-16 code units), which SQL's
  // length() does not. The stored bytes count the text's UTF-8 bytes, as they do a message's.
  `CREATE TABLE message_documents (
     id TEXT PRIMARY KEY,
     message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
     conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
     position INTEGER NOT NULL,
     name TEXT NOT NULL,
     media_type TEXT NOT NULL,
     size INTEGER NOT NULL,
     pages INTEGER,
     characters INTEGER NOT NULL,
     text TEXT NOT NULL
   );
   CREATE INDEX message_documents_by_message ON message_documents (message_id, position);
   CREATE TRIGGER message_documents_bytes_insert AFTER INSERT ON message_documents BEGIN
     UPDATE conversations SET stored_bytes = stored_bytes + length(CAST(new.text AS BLOB))
      WHERE id = new.conversation_id;
   END;
   CREATE TRIGGER message_documents_bytes_delete AFTER DELETE ON message_documents BEGIN
     UPDATE conversations SET stored_bytes = stored_bytes - length(CAST(old.text AS BLOB))
      WHERE id = old.conversation_id;
   END;`,
];

/** The database cannot be brought to this code's schema. */
export class MigrationError extends Error {
  override name = "MigrationError";
  readonly code = "store_migration_failed";
  constructor(message: string, options?: ErrorOptions) {
    super(`conversation store: ${message}`, options);
  }
}

function userVersion(db: DatabaseSync): number {
  const row = db.prepare("PRAGMA user_version").get() as { user_version: number };
  return row.user_version;
}

/**
 * Brings `db` up to the latest schema (or only through `steps`, to build a database as an older
 * release left it); returns the version it was at.
 */
export function migrate(db: DatabaseSync, steps: readonly string[] = migrations): number {
  const from = userVersion(db);
  if (from > migrations.length) {
    throw new MigrationError(`schema version ${from} is newer than this release knows (${migrations.length})`);
  }
  for (let version = from; version < steps.length; version++) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(steps[version] as string);
      // PRAGMA takes no bound parameters; `version` is a loop counter, not input.
      db.exec(`PRAGMA user_version = ${version + 1}`);
      db.exec("COMMIT");
    } catch (cause) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw new MigrationError(`migration ${version + 1} failed`, { cause });
    }
  }
  return from;
}
