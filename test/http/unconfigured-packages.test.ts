/**
 * A feature's package is loaded only when the feature is configured: the PostgreSQL driver with
 * DATABASE_URL, the Redis client with REDIS_URL, the MCP SDK (and its schema libraries) at the
 * first tool server's connection. Code loaded stays in the heap, and the runtime's collector lets
 * garbage grow in proportion to the heap it keeps (loadtest/README.md: about 9 KiB per open stream).
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Started, startApp } from "../../harness/stack/spawn.ts";

const PRELOAD = resolve(import.meta.dir, "../support/loaded-packages-preload.ts");
const started: Started[] = [];
const dir = mkdtempSync(join(tmpdir(), "sluice-packages-"));

afterAll(async () => {
  await Promise.all(started.map((app) => app.stop()));
  rmSync(dir, { recursive: true, force: true });
});

/** The packages a Bun app holds once it serves, with `env`. */
async function packagesLoaded(env: Record<string, string>): Promise<string[]> {
  const file = join(dir, `loaded-${started.length}.json`);
  const app = await startApp({ ...env, BUN_OPTIONS: `--preload ${PRELOAD}`, LOADED_PACKAGES_FILE: file }, "bun");
  started.push(app);
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  await Bun.sleep(300);
  return JSON.parse(readFileSync(file, "utf8")) as string[];
}

test("an app without DATABASE_URL, REDIS_URL or MCP servers loads none of their packages", async () => {
  const loaded = await packagesLoaded({});
  // The check sees what is loaded: the model client is, in every app.
  expect(loaded).toContain("openai");
  expect(loaded).toContain("elysia");
  for (const unconfigured of ["postgres", "ioredis", "@modelcontextprotocol/sdk", "zod", "ajv"])
    expect(loaded).not.toContain(unconfigured);
});
