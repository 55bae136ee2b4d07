/**
 * A database as the release before conversation trees left it: built by running that release's
 * migrations only (SQLite's first 7 steps, PostgreSQL's first 5), then filled with rows in its
 * columns, the way it stored them: a finished conversation with figures, an image and a failed
 * last answer; one whose answer was running when the process died; another user's empty one.
 * The store suite opens a store on it and checks every conversation became one whole branch.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import postgres from "postgres";
import { migrate, migrations } from "../../src/conversations/migrations.ts";
import { migratePostgres, postgresMigrations } from "../../src/conversations/postgres-migrations.ts";
import { databaseFileName } from "../../src/conversations/sqlite.ts";
import { pngBytes } from "./store-suite-extras.ts";

const BEFORE_TREES = { sqlite: 7, postgres: 5 };

const conversations = [
  { id: "old-1", owner: "alice", title: "Old chat", created_at: 1, updated_at: 2, running_stream_id: null },
  { id: "old-2", owner: "alice", title: "Cut off", created_at: 3, updated_at: 4, running_stream_id: "old-stream" },
  { id: "old-3", owner: "bob", title: null, created_at: 5, updated_at: 6, running_stream_id: null },
];

const message = (id: string, conversation_id: string, role: string, content: string, created_at: number) => ({
  id,
  conversation_id,
  role,
  content,
  status: "complete",
  error_code: null as string | null,
  error_message: null as string | null,
  error_retryable: null as number | null,
  created_at,
  ttft_ms: null as number | null,
  total_ms: null as number | null,
  completion_tokens: null as number | null,
  finish_reason: null as string | null,
});

const messages = [
  message("m1", "old-1", "user", "q1", 10),
  {
    ...message("m2", "old-1", "assistant", "a1", 11),
    ttft_ms: 20,
    total_ms: 90,
    completion_tokens: 3,
    finish_reason: "stop",
  },
  message("m3", "old-1", "user", "q2", 12),
  {
    ...message("m4", "old-1", "assistant", "", 13),
    status: "error",
    error_code: "upstream_error",
    error_message: "no",
    error_retryable: 1,
  },
  message("m5", "old-2", "user", "tell me", 14),
];

const image = { id: "img-1", message_id: "m3", conversation_id: "old-1", position: 0, media_type: "image/png" };
const imageBytes = pngBytes(64);
/** What the running answer of "old-2" had checkpointed. */
export const PREVIOUS_CHECKPOINT = "Once upon";

/** Builds the previous release's SQLite database, with its rows, where a store at `dir` will open it. */
export function seedSqlitePrevious(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const db = new DatabaseSync(join(dir, databaseFileName));
  try {
    migrate(db, migrations.slice(0, BEFORE_TREES.sqlite));
    for (const row of conversations)
      db.prepare(
        `INSERT INTO conversations (id, owner, title, created_at, updated_at, running_stream_id, running_content)
         VALUES (:id, :owner, :title, :created_at, :updated_at, :running_stream_id, :running_content)`,
      ).run({ ...row, running_content: row.running_stream_id ? PREVIOUS_CHECKPOINT : null });
    for (const row of messages)
      db.prepare(
        `INSERT INTO messages (${Object.keys(row).join(", ")}) VALUES (${Object.keys(row)
          .map((key) => `:${key}`)
          .join(", ")})`,
      ).run(row);
    db.prepare(
      `INSERT INTO message_images (id, message_id, conversation_id, position, media_type, size, data)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(image.id, image.message_id, image.conversation_id, 0, image.media_type, imageBytes.byteLength, imageBytes);
  } finally {
    db.close();
  }
}

/** Builds the previous release's PostgreSQL tables, with their rows, in `schema`. */
export async function seedPostgresPrevious(url: string, schema: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { search_path: schema } });
  try {
    await migratePostgres(sql, schema, postgresMigrations.slice(0, BEFORE_TREES.postgres));
    for (const row of conversations)
      await sql`INSERT INTO conversations ${sql({ ...row, running_content: row.running_stream_id ? PREVIOUS_CHECKPOINT : null })}`;
    for (const row of messages) await sql`INSERT INTO messages ${sql({ ...row, search_words: row.content })}`;
    await sql`INSERT INTO message_images ${sql({ ...image, size: imageBytes.byteLength, data: Buffer.from(imageBytes) })}`;
  } finally {
    await sql.end();
  }
}
