/**
 * Each instance's sign of life: a key that expires unless the instance renews it. When an
 * instance dies (a crash, SIGKILL, a lost machine), its key expires within LEASE_TTL_MS and the
 * others end what it ran for their viewers (shared-directory.ts) and for the store (answer-sweeper.ts).
 *
 * A lease missing once is not a death: Redis may just have restarted empty, before the living
 * have renewed. {@link DeathWatch} calls an instance dead only once its lease has been missing
 * for longer than a renewal takes.
 */
import { keys } from "./keys.ts";
import type { Redis } from "./redis-client.ts";

/** How long a silent instance counts as alive: at most this, plus one check, until its viewers hear. */
export const LEASE_TTL_MS = 2_500;
const RENEW_EVERY_MS = 500;
/** How long a lease must stay missing before its instance counts as dead. */
export const CONFIRM_DEATH_MS = 1_000;

export class InstanceLease {
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly redis: Redis,
    readonly instance: string,
  ) {
    // Back after an outage (perhaps a Redis restarted empty): say so at once, not at the next tick.
    redis.on("ready", () => {
      if (this.#timer !== undefined) void this.#renew().catch(() => {});
    });
  }

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
