/**
 * The app with DATABASE_URL, on Bun and on Deno: its conversations and answers are in PostgreSQL
 * (read back here through the store itself) and nothing is written to SQLite in DATA_DIR.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { answerStored, createConversation, sendMessage } from "../../harness/client/conversations.ts";
import type { Runtime } from "../../harness/stack/process.ts";
import { freshDataDir, startApp } from "../../harness/stack/spawn.ts";
import { LOCAL_USER } from "../../src/auth/access.ts";
import { openPostgresStore } from "../../src/conversations/postgres.ts";
import { databaseFileName } from "../../src/conversations/sqlite.ts";
import { postgresForTests } from "../support/postgres.ts";

const { server, unavailable } = await postgresForTests();
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Creates a conversation, has one exchange in it, and returns it once the answer is stored. */
async function converse(base: string) {
  const id = await createConversation(base);
  const chat = await sendMessage(base, id, "/sim ttft_ms=0 tps=1000 tokens=5\nhello");
  expect(chat.status).toBe(202);
  await (await fetch(`${base}${chat.json.streamUrl}`, { signal: AbortSignal.timeout(10_000) })).text();
  // The answer is stored when the generation ends, a moment after its last event is sent.
  return answerStored(base, id);
}

for (const runtime of ["bun", "deno"] satisfies Runtime[]) {
  const name = `on ${runtime}, DATABASE_URL keeps conversations in PostgreSQL, not in DATA_DIR`;
  if (!server) {
    test.skip(`${name}, skipped: ${unavailable}`, () => {});
    continue;
  }
  test(name, async () => {
    const dataDir = freshDataDir();
    dirs.push(dataDir);
    const app = await startApp({ DATA_DIR: dataDir, DATABASE_URL: server.url, DATABASE_POOL_SIZE: "3" }, runtime);
    try {
      expect(app.output()).toContain(`"databaseUrl":"(masked)"`);
      const served = await converse(app.url);
      expect(served.messages.map((m: { role: string; status: string }) => `${m.role}:${m.status}`)).toEqual([
        "user:complete",
        "assistant:complete",
      ]);
      const store = await openPostgresStore(server.url, { poolSize: 1 });
      try {
        const stored = await store.get(LOCAL_USER, served.id);
        expect(stored?.messages.map((m) => m.content)).toEqual(
          served.messages.map((m: { content: string }) => m.content),
        );
      } finally {
        await store.close();
      }
      // The negative control: without DATABASE_URL this same app writes DATA_DIR/sluice.db.
      expect(existsSync(join(dataDir, databaseFileName))).toBe(false);
    } finally {
      await app.stop();
    }
  });
}

test("an unreachable DATABASE_URL stops start-up with a message that says so, without the password", async () => {
  const dataDir = freshDataDir();
  dirs.push(dataDir);
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  const start = startApp({ DATA_DIR: dataDir, DATABASE_URL: "postgres://sluice:hunter2@127.0.0.1:1/sluice" });
  const failure = await start.then(
    () => undefined,
    (error: Error) => error.message,
  );
  expect(failure).toContain("store_unavailable");
  expect(failure).toContain("cannot use the PostgreSQL server of DATABASE_URL");
  expect(failure).not.toContain("hunter2");
});

test("without DATABASE_URL the app keeps conversations in DATA_DIR (the control)", async () => {
  const dataDir = freshDataDir();
  dirs.push(dataDir);
  const app = await startApp({ DATA_DIR: dataDir });
  try {
    await converse(app.url);
    expect(existsSync(join(dataDir, databaseFileName))).toBe(true);
  } finally {
    await app.stop();
  }
});
