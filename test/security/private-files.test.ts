/**
 * What Sluice keeps on disk is its owner's alone: a new DATA_DIR is created 0700 and the
 * database 0600, with its -wal and -shm files, so other accounts of the machine read no
 * conversation; and a store that cannot be reached at start is one clear line, not a stack trace.
 */
import { expect, test } from "bun:test";
import { existsSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { ALICE, call, startTarget, type TargetApp } from "./setup.ts";

const root = new URL("../../", import.meta.url).pathname;

/** Starts the app on a DATA_DIR it must create, and writes one conversation. */
async function startFresh(defencesOff: string[] = []): Promise<{ app: TargetApp; dir: string }> {
  const relative = `.test-data/${crypto.randomUUID()}/data`;
  const dir = join(root, relative);
  const started = await startTarget({ DATA_DIR: relative }, { defencesOff });
  const app = {
    ...started,
    async stop() {
      await started.stop();
      rmSync(dirname(dir), { recursive: true, force: true });
    },
  };
  expect((await call(app, ALICE, "POST", "/api/conversations", {})).status).toBe(201);
  return { app, dir };
}

const permissions = (path: string) => statSync(path).mode & 0o777;

test("DATA_DIR is created 0700, the database and its -wal and -shm files 0600", async () => {
  const { app, dir } = await startFresh();
  try {
    expect(permissions(dir)).toBe(0o700);
    const files = ["sluice.db", "sluice.db-wal", "sluice.db-shm"].map((name) => join(dir, name));
    expect(files.filter(existsSync).length).toBe(3);
    for (const file of files) expect([file, permissions(file)]).toEqual([file, 0o600]);
    for (const kept of ["session-secret"]) expect(permissions(join(dir, kept))).toBe(0o600);
  } finally {
    await app.stop();
  }
});

test("negative control: without it, other accounts may read the folder and the database", async () => {
  const { app, dir } = await startFresh(["privateFiles"]);
  try {
    expect(permissions(dir) & 0o005).toBe(0o005);
    expect(permissions(join(dir, "sluice.db")) & 0o004).toBe(0o004);
  } finally {
    await app.stop();
  }
});

/** A stack trace line, as Bun and Deno print them: the check that none is printed must see one. */
const STACK_LINE = /^\s+at .+[:(]\d+/m;

test("control: the stack-trace detector recognises a stack trace", () => {
  expect(STACK_LINE.test(new Error("x").stack ?? "")).toBe(true);
});

test("an unreachable PostgreSQL at start: one line naming DATABASE_URL, no stack, no password", async () => {
  const start = startTarget({ DATABASE_URL: "postgres://sluice:hunter2-secret@127.0.0.1:1/sluice" });
  const error = (await start.catch((caught: Error) => caught)) as Error;
  expect(error).toBeInstanceOf(Error);
  const lines = error.message.split("\n").filter((line) => line.includes("Sluice cannot start"));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain("DATABASE_URL:");
  expect(error.message).not.toMatch(STACK_LINE);
  expect(error.message).not.toContain("hunter2-secret");
});

test("an unreachable Redis at start: one line naming REDIS_URL and why, nothing before it", async () => {
  const start = startTarget({ REDIS_URL: "redis://127.0.0.1:1" });
  const error = (await start.catch((caught: Error) => caught)) as Error;
  expect(error).toBeInstanceOf(Error);
  expect(error.message).toMatch(/Sluice cannot start: REDIS_URL: Redis did not answer within \d+ ms \(.*ECONNREFUSED/);
  expect(error.message).not.toContain("redis unreachable");
  expect(error.message).not.toMatch(STACK_LINE);
}, 30_000);
