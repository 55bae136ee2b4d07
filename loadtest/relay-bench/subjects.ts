/**
 * The servers the side-by-side bench compares, each started fresh against its own simulator:
 * the peer (the seed ported to Elysia + `openai`, loadtest/peers/), and Sluice on Bun, on Deno,
 * and on Bun with REDIS_URL (a throwaway Redis).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestRedis, type TestRedis } from "../../harness/stack/redis.ts";
import {
  awaitService,
  type Service,
  spawnService,
  startAppService,
  startSimulatorService,
} from "../../harness/stack/services.ts";

/**
 * `floor`: the least a Bun relay can do (loadtest/peers/bare-relay.ts), to read the targets against.
 * `floor-deno`: the same on Deno (loadtest/peers/bare-relay-deno.ts): what Deno itself costs a relay.
 * `sluice-alt`: Sluice on Bun with extra settings (--alt-env), to weigh a setting side by side.
 */
export const SUBJECTS = ["peer", "floor", "floor-deno", "sluice", "sluice-deno", "sluice-redis", "sluice-alt"] as const;
export type SubjectName = (typeof SUBJECTS)[number];

/** `--alt-env REDIS_URL=throwaway`: `sluice-alt` gets a Redis of its own, as `sluice-redis` does. */
export const THROWAWAY_REDIS = "throwaway";

/** The app's STREAM_RETENTION_MS: the warm-up's generations must be gone before the idle figures. */
export const SUBJECT_RETENTION_MS = 1_000;

export interface SubjectOptions {
  /** The most generations the app must admit at once. */
  maxActive: number;
  /** Extra environment for the peer (PEER_EXTRA_WORK_US). */
  peerEnv?: Record<string, string>;
  /** BUN_OPTIONS for the servers under test on Bun (e.g. a CPU profile). */
  bunOptions?: string | undefined;
  /** The extra environment of `sluice-alt`. */
  altEnv?: Record<string, string>;
  /** Extra environment for every server under test (a profile's JIT symbol maps: cpu-split.ts). */
  profileEnv?: Record<string, string>;
}

/** A subject running: its server, the simulator it reads from, and Redis with REDIS_URL. */
export interface RunningSubject {
  name: SubjectName;
  server: Service;
  simulator: Service;
  redis: TestRedis | undefined;
  stop(): Promise<void>;
}

/** The peer, or with `entry` another reference server read the same way (the floor). */
function startPeer(
  simulator: Service,
  options: SubjectOptions,
  entry = "loadtest/peers/elysia-openai.ts",
  runtime: "bun" | "deno" = "bun",
): Promise<Service> {
  const env = {
    ...process.env,
    UPSTREAM_BASE_URL: `${simulator.url}/v1`,
    MODEL: "demo",
    PORT: "0",
    ...(options.bunOptions ? { BUN_OPTIONS: options.bunOptions } : {}),
    ...options.peerEnv,
    ...options.profileEnv,
  };
  return awaitService(spawnService("peer", entry, { runtime, env }));
}

function startSluice(name: SubjectName, simulator: Service, redis: TestRedis | undefined, options: SubjectOptions) {
  const env = {
    ...process.env,
    UPSTREAM_BASE_URL: `${simulator.url}/v1`,
    MODEL: "demo",
    DATA_DIR: mkdtempSync(join(tmpdir(), "sluice-relay-bench-")),
    // A short drain: the bench stops the app right after its last stream.
    DRAIN_TIMEOUT_MS: "1000",
    STREAM_RETENTION_MS: String(SUBJECT_RETENTION_MS),
    MAX_ACTIVE_GENERATIONS: String(options.maxActive),
    ...(options.bunOptions ? { BUN_OPTIONS: options.bunOptions } : {}),
    ...(name === "sluice-alt" ? options.altEnv : {}),
    ...(redis ? { REDIS_URL: redis.url } : {}),
    ...options.profileEnv,
  };
  return startAppService({ runtime: name === "sluice-deno" ? "deno" : "bun", env });
}

/** Starts a simulator (on Bun, for every subject alike), then `name` against it. */
export async function startSubject(name: SubjectName, options: SubjectOptions): Promise<RunningSubject> {
  const altRedis = name === "sluice-alt" && options.altEnv?.REDIS_URL === THROWAWAY_REDIS;
  const redis = name === "sluice-redis" || altRedis ? await startTestRedis() : undefined;
  const simulator = await startSimulatorService({ runtime: "bun", env: process.env });
  let server: Service;
  try {
    if (name === "peer") server = await startPeer(simulator, options);
    else if (name === "floor") server = await startPeer(simulator, options, "loadtest/peers/bare-relay.ts");
    else if (name === "floor-deno")
      server = await startPeer(simulator, options, "loadtest/peers/bare-relay-deno.ts", "deno");
    else server = await startSluice(name, simulator, redis, options);
  } catch (error) {
    await simulator.process.stop();
    await redis?.stop();
    throw error;
  }
  return {
    name,
    server,
    simulator,
    redis,
    async stop() {
      await server.process.stop();
      await simulator.process.stop();
      await redis?.stop();
    },
  };
}
