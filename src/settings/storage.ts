/**
 * Where conversations and shared generations are kept (PostgreSQL, Redis), and each user's share
 * of the conversation store: its work and what they may keep in it. Read by config.ts.
 */
import { ConfigError, type Env, integer, secret } from "../env-values.ts";

/** Each user's share of the conversation store: its work, and what they may keep in it. */
export interface StoreShareSettings {
  /** Store calls one user may have waiting (STORE_USER_QUEUE); past it, 429 store_busy. */
  queuedPerUser: number;
  /** PostgreSQL connections one user's calls may hold at once (STORE_USER_CONCURRENT); SQLite runs one call at a time. */
  concurrentPerUser: number;
  /** A search running longer is stopped with 429 search_timeout (SEARCH_TIMEOUT_MS). */
  searchTimeoutMs: number;
  /** Conversations one user may keep (QUOTA_USER_CONVERSATIONS); 0: no quota. */
  quotaConversations: number;
  /** UTF-8 bytes of text and images one user may store (QUOTA_USER_BYTES); 0: no quota. */
  quotaBytes: number;
}

/** Each user's share of the conversation store (conversations/fair-store.ts, conversations/quotas.ts). */
export function loadStoreShares(env: Env): StoreShareSettings {
  return {
    // A page load makes a few calls and the search box one per pause in typing: 32 waiting is a client in a loop.
    queuedPerUser: integer(env, "STORE_USER_QUEUE", 32, 1, 100_000),
    // With the default pool of 10, five users at once can each use their whole share.
    concurrentPerUser: integer(env, "STORE_USER_CONCURRENT", 2, 1, 1_000),
    // SQLite answers one call at a time: a search holds everyone's next call for at most this long.
    searchTimeoutMs: integer(env, "SEARCH_TIMEOUT_MS", 2_000, 10, 600_000),
    // Some 40 new conversations every working day for a year.
    quotaConversations: integer(env, "QUOTA_USER_CONVERSATIONS", 10_000, 0, 100_000_000),
    // 1 GiB: years of text, or some 200 full-size images (IMAGE_MAX_BYTES) with it.
    quotaBytes: integer(env, "QUOTA_USER_BYTES", 1_073_741_824, 0, Number.MAX_SAFE_INTEGER),
  };
}

/** DATABASE_URL (or the file DATABASE_URL_FILE), which must name a PostgreSQL server. */
export function databaseUrl(env: Env): string | undefined {
  const value = secret(env, "DATABASE_URL");
  if (value !== undefined && !/^postgres(ql)?:\/\//.test(value))
    throw new ConfigError("DATABASE_URL", "expected postgres://user:password@host:5432/database");
  return value;
}

/** REDIS_URL (or the file REDIS_URL_FILE), which must name a Redis server. */
export function redisUrl(env: Env): string | undefined {
  const value = secret(env, "REDIS_URL");
  if (value !== undefined && !/^rediss?:\/\//.test(value))
    throw new ConfigError("REDIS_URL", "expected redis://[:password@]host:6379[/db]");
  return value;
}
