/**
 * Sign-outs heard by every instance: a session cookie is checked without a lookup (auth/sessions.ts),
 * so each instance keeps the list of revoked sessions in memory. A sign-out is added to a sorted
 * set in Redis (scored by the session's expiry, when it stops mattering) and published; each
 * instance loads the set at start and again after an outage, and hears new ones as they happen.
 */
import type { SessionSigner } from "../auth/sessions.ts";
import { SharedStateUnavailableError } from "../errors.ts";
import type { FanIn } from "./fan-in.ts";
import { channels, keys } from "./keys.ts";
import type { Redis } from "./redis-client.ts";

export async function shareRevocations(signer: SessionSigner, redis: Redis, fanIn: FanIn): Promise<void> {
  const load = async () => {
    await redis.zremrangebyscore(keys.revokedSessions, "-inf", Date.now());
    const entries = await redis.zrange(keys.revokedSessions, 0, -1, "WITHSCORES");
    for (let index = 0; index + 1 < entries.length; index += 2)
      signer.remember(entries[index] as string, Number(entries[index + 1]));
  };
  await fanIn.listen(
    channels.revocations,
    (message) => {
      const { id, expiresAt } = JSON.parse(message) as { id: string; expiresAt: number };
      signer.remember(id, expiresAt);
    },
    true,
  );
  await load();
  redis.on("ready", () => void load().catch(() => {}));
  signer.onRevoke = async (id, expiresAt) => {
    try {
      await redis
        .multi()
        .zadd(keys.revokedSessions, expiresAt, id)
        .publish(channels.revocations, JSON.stringify({ id, expiresAt }))
        .exec();
    } catch {
      // Signed out here already; the others must hear it too, so the user is told to try again.
      throw new SharedStateUnavailableError();
    }
  };
}
