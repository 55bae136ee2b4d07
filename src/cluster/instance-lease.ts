/**
 * Each instance's sign of life: a key that expires unless the instance renews it. When an
 * instance dies (a crash, SIGKILL, a lost machine), its key expires within LEASE_TTL_MS and the
 * others end what it ran for their viewers (shared-directory.ts) and for the store (answer-sweeper.ts).
 *
 * A lease missing once is not a death: Redis may just have restarted empty, before the living
 * have renewed. {@link DeathWatch} calls an instance dead only once its lease has been missing
 * for longer than a renewal takes.
 */
import { Worker } from "node:worker_threads";
import { keys } from "./keys.ts";
import type { LeaseWorkerData } from "./lease-worker.ts";
import type { Redis } from "./redis-client.ts";

/** How long a silent instance counts as alive: at most this, plus one check, until its viewers hear. */
export const LEASE_TTL_MS = 2_500;
const RENEW_EVERY_MS = 500;
/** How long a lease must stay missing before its instance counts as dead. */
export const CONFIRM_DEATH_MS = 1_000;

export class InstanceLease {
  #worker: Worker | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly redisUrl: string,
    readonly instance: string,
  ) {}

  /** Takes the lease (from its own thread: lease-worker.ts) and keeps it until {@link release}. */
  async hold(timeoutMs = 10_000): Promise<void> {
    const data: LeaseWorkerData = {
      redisUrl: this.redisUrl,
      instance: this.instance,
      ttlMs: LEASE_TTL_MS,
      everyMs: RENEW_EVERY_MS,
    };
    const worker = new Worker(new URL("./lease-worker.ts", import.meta.url), { workerData: data });
    this.#worker = worker;
    // The worker must not keep a process alive that has nothing else to do.
    worker.unref();
    await answerFrom(worker, "held", timeoutMs).catch(async (error) => {
      await worker.terminate();
      throw error;
    });
  }

  /** Gives the lease up (a clean shutdown): the others need not wait for it to expire. */
  async release(): Promise<void> {
    const worker = this.#worker;
    if (!worker) return;
    worker.postMessage("release");
    await answerFrom(worker, "released", 2_000).catch(() => {});
    await worker.terminate();
  }

  /** Which of `instances` hold their lease now. Throws while Redis is unreachable. */
  async alive(instances: Iterable<string>): Promise<Set<string>> {
    const names = [...new Set(instances)];
    if (names.length === 0) return new Set();
    const values = await this.redis.mget(...names.map(keys.instance));
    return new Set(names.filter((_, index) => values[index] !== null));
  }
}

/** Resolves when `worker` posts `expected`; rejects when it fails or `timeoutMs` passes. */
function answerFrom(worker: Worker, expected: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the lease was not ${expected} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    worker.on("message", (message) => {
      if (message !== expected) return;
      clearTimeout(timer);
      resolve();
    });
    worker.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * Tells which instances are dead: their lease missing at every check for `confirmMs` (by default
 * {@link CONFIRM_DEATH_MS}; longer where a wrong verdict cannot be taken back).
 */
export class DeathWatch {
  /** Since when each instance's lease has been seen missing. */
  readonly #missingSince = new Map<string, number>();

  constructor(
    private readonly lease: InstanceLease,
    private readonly confirmMs = CONFIRM_DEATH_MS,
  ) {}

  /** Which of `instances` are dead now. Throws while Redis is unreachable. */
  async dead(instances: Iterable<string>, now = Date.now()): Promise<Set<string>> {
    const names = new Set(instances);
    const alive = await this.lease.alive(names);
    const dead = new Set<string>();
    for (const name of names) {
      if (alive.has(name)) {
        this.#missingSince.delete(name);
        continue;
      }
      const since = this.#missingSince.get(name) ?? now;
      this.#missingSince.set(name, since);
      if (now - since >= this.confirmMs) dead.add(name);
    }
    for (const name of this.#missingSince.keys()) if (!names.has(name)) this.#missingSince.delete(name);
    return dead;
  }
}
