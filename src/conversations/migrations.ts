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

/** Brings `db` up to the latest schema; returns the version it was at. */
export function migrate(db: DatabaseSync): number {
  const from = userVersion(db);
  if (from > migrations.length) {
    throw new MigrationError(`schema version ${from} is newer than this release knows (${migrations.length})`);
  }
  for (let version = from; version < migrations.length; version++) {
    db.exec("BEGIN IMMEDIATE");
    try {
      db.exec(migrations[version] as string);
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
