/**
 * Sign-outs heard by every instance: a session cookie is checked without a lookup (auth/sessions.ts),
 * so each instance keeps the revocations in memory. A sign-out is added to a sorted set in Redis
 * (scored by the session's expiry, when it stops mattering) and published; so is an admin's "sign
 * out everywhere" (a user signed out before a time, scored by that time, which stops mattering
 * once every session issued before it has expired). Each instance loads both sets at start and
 * again after an outage, and hears new ones as they happen.
 */
import type { SessionSigner } from "../auth/sessions.ts";
import { SharedStateUnavailableError } from "../errors.ts";
import type { FanIn } from "./fan-in.ts";
import { channels, keys } from "./keys.ts";
import type { Redis } from "./redis-client.ts";

/** Each member of sorted set `key` with its score, after removing those scored up to `staleUpTo`. */
async function liveEntries(redis: Redis, key: string, staleUpTo: number): Promise<[string, number][]> {
  await redis.zremrangebyscore(key, "-inf", staleUpTo);
  const flat = await redis.zrange(key, 0, -1, "WITHSCORES");
  const entries: [string, number][] = [];
  for (let index = 0; index + 1 < flat.length; index += 2)
    entries.push([flat[index] as string, Number(flat[index + 1])]);
  return entries;
}

/** Adds `member` to `key` with `score` and publishes `message`, atomically; 503 while Redis is unreachable. */
async function share(redis: Redis, key: string, member: string, score: number, channel: string, message: unknown) {
  try {
    await redis.multi().zadd(key, score, member).publish(channel, JSON.stringify(message)).exec();
  } catch {
    // Signed out here already; the others must hear it too, so the caller is told to try again.
    throw new SharedStateUnavailableError();
  }
}

export async function shareRevocations(signer: SessionSigner, redis: Redis, fanIn: FanIn): Promise<void> {
  const load = async () => {
    const now = Date.now();
    for (const [id, expiresAt] of await liveEntries(redis, keys.revokedSessions, now)) signer.remember(id, expiresAt);
    for (const [user, before] of await liveEntries(redis, keys.signedOutUsers, now - signer.ttlMs))
      signer.rememberUser(user, before);
  };
  const hear = <T>(channel: string, apply: (message: T) => void) =>
    fanIn.listen(channel, (message) => apply(JSON.parse(message) as T), true);
  await hear<{ id: string; expiresAt: number }>(channels.revocations, ({ id, expiresAt }) =>
    signer.remember(id, expiresAt),
  );
  await hear<{ user: string; before: number }>(channels.userRevocations, ({ user, before }) =>
    signer.rememberUser(user, before),
  );
  await load();
  redis.on("ready", () => void load().catch(() => {}));
  signer.onRevoke = (id, expiresAt) =>
    share(redis, keys.revokedSessions, id, expiresAt, channels.revocations, { id, expiresAt });
  signer.onRevokeUser = (user, before) =>
    share(redis, keys.signedOutUsers, user, before, channels.userRevocations, { user, before });
}
