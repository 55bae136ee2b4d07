import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { freshDataDir } from "../../harness/stack/spawn.ts";
import { migrations } from "../../src/conversations/migrations.ts";
import { databaseFileName, openSqliteStore } from "../../src/conversations/sqlite.ts";
import { openWorkerStore } from "../../src/conversations/sqlite-worker-proxy.ts";
import { describeConversationSearch } from "./search-suite.ts";

describeConversationSearch("SQLite", openSqliteStore);
describeConversationSearch("SQLite in a worker", (dir) => openWorkerStore(dir));

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test("the search migration indexes the conversations stored before it", async () => {
  const dir = freshDataDir();
  dirs.push(dir);
  // A database as the release before search left it: schema steps 1 to 3, rows in them.
  const old = new DatabaseSync(join(dir, databaseFileName));
  for (const step of migrations.slice(0, 3)) old.exec(step);
  old.exec("PRAGMA user_version = 3");
  old.exec(`INSERT INTO conversations (id, owner, title, created_at, updated_at) VALUES ('c1', 'alice', 'Old trip', 1, 1);
    INSERT INTO messages (id, conversation_id, role, content, status, created_at)
      VALUES ('m1', 'c1', 'user', 'Which trains run to Lisbon?', 'complete', 1);`);
  old.close();
  const store = await openSqliteStore(dir);
  try {
    expect((await store.search("alice", "lisbon", 10)).map((hit) => hit.id)).toEqual(["c1"]);
    expect((await store.search("alice", "trip", 10)).map((hit) => hit.id)).toEqual(["c1"]);
  } finally {
    await store.close();
  }
});
