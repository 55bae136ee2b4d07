/**
 * The migrations for search by lexemes and for stored bytes, on data stored before them: SQLite's
 * step 8 counts what each conversation already stores; PostgreSQL's step 6 folds old words the
 * way the store folds them now and indexes them, and step 7 counts.
 */
import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import postgres from "postgres";
import { freshDataDir } from "../../harness/stack/spawn.ts";
import { migrations } from "../../src/conversations/migrations.ts";
import { openPostgresStore } from "../../src/conversations/postgres.ts";
import { postgresMigrations } from "../../src/conversations/postgres-migrations.ts";
import { databaseFileName, openSqliteStore } from "../../src/conversations/sqlite.ts";
import { postgresForTests } from "../support/postgres.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const { server, unavailable } = await postgresForTests();

test("SQLite: conversations stored before stored bytes are counted count their messages and images", async () => {
  const dir = freshDataDir();
  dirs.push(dir);
  const old = new DatabaseSync(join(dir, databaseFileName));
  for (const step of migrations.slice(0, 7)) old.exec(step);
  old.exec(`PRAGMA user_version = 7;
    INSERT INTO conversations (id, owner, title, created_at, updated_at) VALUES ('c1', 'alice', 'Trip', 1, 1);
    INSERT INTO messages (id, conversation_id, role, content, status, created_at)
      VALUES ('m1', 'c1', 'user', 'Lisbon é', 'complete', 1), ('m2', 'c1', 'assistant', 'ok', 'complete', 1);
    INSERT INTO message_images (id, message_id, conversation_id, position, media_type, size, data)
      VALUES ('i1', 'm1', 'c1', 0, 'image/png', 3, x'010203');`);
  old.close();
  const store = await openSqliteStore(dir);
  try {
    // "Trip" 4 + "Lisbon é" 9 + "ok" 2 + the image's 3.
    expect(await store.usage("alice")).toEqual({ conversations: 1, bytes: 18 });
  } finally {
    await store.close();
  }
});

const name = "PostgreSQL: words folded before search by lexemes are folded again, indexed and counted";
test.skipIf(!server)(`${name}${unavailable ? ` (skipped: ${unavailable})` : ""}`, async () => {
  const url = server?.url ?? "";
  const schema = `old_${crypto.randomUUID().slice(0, 8)}`;
  const long = "x".repeat(150);
  const sql = postgres(url, { max: 1, onnotice: () => {}, connection: { search_path: schema } });
  try {
    await sql`CREATE SCHEMA ${sql(schema)}`;
    await sql`CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`;
    for (const [index, step] of postgresMigrations.slice(0, 5).entries()) {
      await sql.unsafe(step).simple();
      await sql`INSERT INTO schema_version VALUES (${index + 1}, 0)`;
    }
    // As the release before stored them: "⑴" folded to "(1)", "ͺ" to a space, a run of letters uncut.
    await sql`INSERT INTO conversations (id, owner, title, title_words, created_at, updated_at)
      VALUES ('c1', 'alice', 'Notes ⑴', 'notes (1)', 1, 1)`;
    await sql`INSERT INTO messages (id, conversation_id, role, content, status, created_at, search_words)
      VALUES ('m1', 'c1', 'user', ${`step ⑴ aͺb ${long}`}, 'complete', 1, ${`step (1) a  b ${long}`})`;
  } finally {
    await sql.end();
  }
  const store = await openPostgresStore(url, { poolSize: 1, schema });
  try {
    expect((await store.search("alice", "⑴ step", 10)).map((hit) => hit.id)).toEqual(["c1"]);
    expect((await store.search("alice", "notes 1", 10)).map((hit) => hit.id)).toEqual(["c1"]);
    expect((await store.search("alice", `a b ${"x".repeat(120)}`, 10)).map((hit) => hit.id)).toEqual(["c1"]);
    const [row] = await store.sql`SELECT search_words FROM messages WHERE id = 'm1'`;
    expect(row?.search_words).toBe(`step 1 a b ${"x".repeat(100)}`);
    const bytes = (text: string) => new TextEncoder().encode(text).byteLength;
    expect(await store.usage("alice")).toEqual({
      conversations: 1,
      bytes: bytes(`step ⑴ aͺb ${long}`) + bytes("Notes ⑴"),
    });
  } finally {
    await store.close();
  }
});
