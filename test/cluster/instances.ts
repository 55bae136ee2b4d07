/**
 * Several Sluice instances sharing one Redis and one PostgreSQL, as in production behind nginx:
 * each app embeds its own simulator (its model), so the simulator's statistics say which instance
 * ran, or stopped, a model call. Users: alice and bob (AUTH=token), one session secret for all.
 */
import { startChat } from "../../harness/client/chat.ts";
import { startTestPostgres, type TestPostgres } from "../../harness/stack/postgres.ts";
import { startTestRedis, type TestRedis } from "../../harness/stack/redis.ts";
import { internalUrl, type Started, startApp } from "../../harness/stack/spawn.ts";

export const ALICE = "alice-cluster-token-0001";
export const BOB = "bob-cluster-token-000002";
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface Instance extends Started {
  name: string;
  /** The internal listener: /metrics and the embedded simulator's /sim/stats. */
  internal: string;
}

export interface Cluster {
  redis: TestRedis;
  postgres: TestPostgres;
  /** Starts one more instance named `name`. */
  start(name: string, env?: Record<string, string>): Promise<Instance>;
  /** Stops every instance, then Redis and PostgreSQL. */
  stop(): Promise<void>;
}

/** Redis and PostgreSQL, and a way to start instances on them. */
export async function startCluster(env: Record<string, string> = {}): Promise<Cluster> {
  const [redis, postgres] = await Promise.all([startTestRedis(), startTestPostgres()]);
  const instances: Instance[] = [];
  return {
    redis,
    postgres,
    async stop() {
      await Promise.all(instances.map((instance) => instance.stop()));
      await Promise.all([redis.stop(), postgres.stop()]);
    },
    async start(name, more = {}) {
      const app = await startApp({
        HOST: "127.0.0.1",
        AUTH: "token",
        AUTH_TOKENS: `alice:${ALICE},bob:${BOB}`,
        SESSION_SECRET: "one-secret-for-every-instance-of-this-test",
        REDIS_URL: redis.url,
        DATABASE_URL: postgres.url,
        INSTANCE_ID: name,
        LIMIT_USER_CONCURRENT: "100",
        LIMIT_USER_PER_MINUTE: "10000",
        SIM_TTFT_MS: "20",
        SIM_TOKENS_PER_SECOND: "50",
        CHECKPOINT_MS: "200",
        ...env,
        ...more,
      });
      const instance = { ...app, name, internal: internalUrl(app) };
      instances.push(instance);
      return instance;
    },
  };
}

/** POST /api/chat (one-shot, no conversation) on `instance` as `token`; the stream id. */
export async function startAnswer(instance: Started, content: string, token = ALICE): Promise<string> {
  return (await startChat(instance.url, content, { token })).streamId;
}
