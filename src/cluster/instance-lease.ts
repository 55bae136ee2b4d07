/**
 * Each instance's sign of life: a key that expires unless the instance renews it. When an
 * instance dies (a crash, SIGKILL, a lost machine), its key expires within LEASE_TTL_MS and the
 * others end what it ran for their viewers (shared-directory.ts) and for the store (answer-sweeper.ts).
 */
import { keys } from "./keys.ts";
import type { Redis } from "./redis-client.ts";

/** How long a silent instance counts as alive: at most this, plus one check, until its viewers hear. */
export const LEASE_TTL_MS = 3_000;
const RENEW_EVERY_MS = 1_000;

export class InstanceLease {
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly redis: Redis,
    readonly instance: string,
  ) {}

  /** Takes the lease and renews it until {@link release}. */
  async hold(): Promise<void> {
    await this.#renew();
    this.#timer = setInterval(() => void this.#renew().catch(() => {}), RENEW_EVERY_MS);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** Gives the lease up (a clean shutdown): the others need not wait for it to expire. */
  async release(): Promise<void> {
    clearInterval(this.#timer);
    await this.redis.del(keys.instance(this.instance)).catch(() => {});
  }

  /** Which of `instances` hold their lease now. Throws while Redis is unreachable. */
  async alive(instances: Iterable<string>): Promise<Set<string>> {
    const names = [...new Set(instances)];
    if (names.length === 0) return new Set();
    const values = await this.redis.mget(...names.map(keys.instance));
    return new Set(names.filter((_, index) => values[index] !== null));
  }

  async #renew(): Promise<void> {
    await this.redis.set(keys.instance(this.instance), String(Date.now()), "PX", LEASE_TTL_MS);
  }
}
