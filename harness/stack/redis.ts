/**
 * A throwaway Redis server for the tests and the native stack: Debian's `redis-server`, on a free
 * port of 127.0.0.1, with no persistence (its data lives as long as the process), its folder in
 * the temporary directory, and everything removed when it stops. It can be restarted on the same
 * port, empty, as a crashed Redis without persistence would come back.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Subprocess, spawn, spawnSync } from "bun";
import { freePort } from "./free-port.ts";

export class RedisStackError extends Error {
  override name = "RedisStackError";
  constructor(
    readonly code: "redis_missing" | "redis_failed",
    message: string,
  ) {
    super(message);
  }
}

export interface TestRedis {
  /** e.g. redis://127.0.0.1:41234 */
  url: string;
  port: number;
  pid(): number;
  /** Kills the server (SIGKILL) and starts an empty one on the same port. */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

/** The path of `redis-server`, or undefined when the package is not installed. */
export function findRedisServer(): string | undefined {
  const found = spawnSync(["sh", "-c", "command -v redis-server || ls /usr/bin/redis-server"], { stdout: "pipe" });
  const path = found.stdout.toString().trim().split("\n")[0];
  return found.success && path ? path : undefined;
}

async function launch(binary: string, port: number, dir: string): Promise<Subprocess> {
  const child = spawn(
    [binary, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdout: "pipe", stderr: "pipe" },
  );
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const ping = spawnSync(["redis-cli", "-p", String(port), "ping"], { stdout: "pipe", stderr: "pipe" });
    if (ping.stdout.toString().trim() === "PONG") return child;
    await Bun.sleep(50);
  }
  child.kill("SIGKILL");
  const output = child.stdout instanceof ReadableStream ? await new Response(child.stdout).text() : "";
  throw new RedisStackError("redis_failed", `redis-server did not answer on port ${port}:\n${output}`);
}

/**
 * Starts an empty Redis.
 * @throws {RedisStackError} `redis_missing` without `redis-server` (scripts/prepare installs it).
 */
export async function startTestRedis(port?: number): Promise<TestRedis> {
  const binary = findRedisServer();
  if (!binary)
    throw new RedisStackError("redis_missing", "no redis-server: run scripts/prepare (apt-get install redis-server)");
  const dir = mkdtempSync(join(tmpdir(), "sluice-redis-"));
  const chosen = port ?? freePort();
  let child = await launch(binary, chosen, dir);
  return {
    url: `redis://127.0.0.1:${chosen}`,
    port: chosen,
    pid: () => child.pid,
    async restart({ downMs = 0 } = {}) {
      child.kill("SIGKILL");
      await child.exited;
      await Bun.sleep(downMs);
      child = await launch(binary, chosen, dir);
    },
    async stop() {
      child.kill("SIGTERM");
      await Promise.race([child.exited, Bun.sleep(3_000)]);
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
