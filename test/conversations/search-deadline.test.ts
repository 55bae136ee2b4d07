/**
 * A search has a deadline (SEARCH_TIMEOUT_MS): past it, SQLite stops reading rows and PostgreSQL
 * cancels the statement, and the caller gets 429 search_timeout naming `q`, not a store failure.
 * The control: the same search without a deadline answers.
 */
import { afterAll, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { freshDataDir } from "../../harness/stack/spawn.ts";
import { COMMON_WORDS, seedPostgres, seedSqlite } from "../../loadtest/lib/seed-conversations.ts";
import { openPostgresStore } from "../../src/conversations/postgres.ts";
import { openSqliteStore } from "../../src/conversations/sqlite.ts";
import { openWorkerStore } from "../../src/conversations/sqlite-worker-proxy.ts";
import type { ConversationStore } from "../../src/conversations/store.ts";
import { postgresForTests } from "../support/postgres.ts";

// Every seeded conversation matches; enough of them that a search takes well over a millisecond.
const PLAN = [{ owner: "bob", conversations: 3_000, promptChars: 400 }];
const QUERY = COMMON_WORDS.slice(0, 3).join(" ");

const dir = freshDataDir();
await seedSqlite(dir, PLAN);
const { server, unavailable } = await postgresForTests();
if (server) await seedPostgres(server.url, PLAN);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function expectDeadline(timed: ConversationStore, untimed: ConversationStore) {
  try {
    const error = await timed.search("bob", QUERY, 30).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 429, code: "search_timeout", field: "q" });
    expect((await untimed.search("bob", QUERY, 30)).length).toBe(30);
  } finally {
    await Promise.all([timed.close(), untimed.close()]);
  }
}

test("SQLite stops a search past its deadline", async () => {
  await expectDeadline(await openSqliteStore(dir, { searchTimeoutMs: 1 }), await openSqliteStore(dir));
});

test("SQLite in its worker: the deadline's error crosses to the caller whole", async () => {
  await expectDeadline(await openWorkerStore(dir, { searchTimeoutMs: 1 }), await openWorkerStore(dir));
});

test.skipIf(!server)(
  `PostgreSQL cancels a search past its deadline${unavailable ? ` (${unavailable})` : ""}`,
  async () => {
    const url = server?.url ?? "";
    await expectDeadline(
      await openPostgresStore(url, { poolSize: 1, searchTimeoutMs: 1 }),
      await openPostgresStore(url, { poolSize: 1 }),
    );
  },
);
