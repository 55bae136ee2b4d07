/**
 * Connections to Redis (ioredis: it runs on Bun and on Deno through their Node compatibility).
 *
 * Commands fail at once while Redis is unreachable instead of queueing: a queue would grow
 * without bound during an outage and replay stale writes after it. ioredis reconnects on its own.
 */
import { Redis } from "ioredis";
import { logError } from "../log.ts";

export type { Redis };

/**
 * A connection named for `CLIENT LIST` (e.g. `sluice-a1b2-commands`). A `subscriber` connection
 * does not subscribe again on its own after a reconnection: fan-in.ts decides what to resume.
 */
export function connectRedis(url: string, name: string, { subscriber = false } = {}): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    autoResubscribe: !subscriber,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // Reconnect quickly after a restart, then back off to a second.
    retryStrategy: (attempt) => Math.min(50 * attempt, 1_000),
    lazyConnect: true,
  });
  // Until the first connection, whoever waits for it (whenReady) says why it failed, in one line.
  let reported = true;
  redis.on("error", (error: Error) => {
    // One line per outage, not one per reconnection attempt.
    if (reported) return;
    reported = true;
    logError("redis unreachable", { connection: name, error });
  });
  redis.on("ready", () => {
    reported = false;
  });
  return redis;
}

/** Resolves once the connection is ready; rejects with why it is not within `timeoutMs`. */
export async function whenReady(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === "ready") return;
  if (redis.status === "wait") void redis.connect().catch(() => {});
  let last = "";
  const failed = (error: Error) => {
    last = ` (${error.message})`;
  };
  redis.on("error", failed);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off("ready", ready);
      reject(new Error(`Redis did not answer within ${timeoutMs} ms${last}`));
    }, timeoutMs);
    const ready = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once("ready", ready);
  }).finally(() => redis.off("error", failed));
}
