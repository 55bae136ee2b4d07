/** A fresh SQLite store for each test of a file, in a folder of its own, closed and removed after it. */
import { afterEach, beforeEach } from "bun:test";
import { rmSync } from "node:fs";
import { freshDataDir } from "../../harness/stack/spawn.ts";
import { openSqliteStore, type SqliteConversationStore } from "../../src/conversations/sqlite.ts";

/** Registers the hooks; the returned function gives the running test's store. */
export function sqliteStorePerTest(): () => SqliteConversationStore {
  let dir = "";
  let store: SqliteConversationStore | undefined;
  beforeEach(async () => {
    dir = freshDataDir();
    store = await openSqliteStore(dir);
  });
  afterEach(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    if (!store) throw new Error("the store opens before each test");
    return store;
  };
}
