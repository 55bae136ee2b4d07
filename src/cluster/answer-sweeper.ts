/**
 * Stores the answers an instance was writing when it died: with several instances on one
 * database, none may mark every running answer interrupted at start (the others' are alive).
 * Instead, every few seconds one instance (whoever takes the turn in Redis) looks at the running
 * answers and ends, as "interrupted" with their checkpointed text, those whose generation's
 * owner has lost its lease or which Redis has never heard of.
 */
import type { ConversationStore } from "../conversations/store.ts";
import { logError } from "../log.ts";
import { DeathWatch, type InstanceLease } from "./instance-lease.ts";
import { keys } from "./keys.ts";
import type { Redis } from "./redis-client.ts";

const SWEEP_EVERY_MS = 2_000;
// Marking an answer interrupted cannot be undone, and nobody waits on it: an owner must have been
// silent this long (not just late renewing its lease, under load) before its answers are ended.
const CONFIRM_DEATH_MS = 10_000;
const TURN_KEY = "sluice:sweep-turn";

export class AnswerSweeper {
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Running answers Redis had no generation for at the last sweep: a start may be under way. */
  #unknown = new Set<string>();
  readonly #deaths: DeathWatch;

  constructor(
    private readonly redis: Redis,
    private readonly lease: InstanceLease,
    private readonly store: ConversationStore,
  ) {
    this.#deaths = new DeathWatch(lease, CONFIRM_DEATH_MS);
  }

  start(): void {
    this.#timer = setInterval(
      () => void this.sweep().catch((error) => logError("answer sweep failed", { error })),
      SWEEP_EVERY_MS,
    );
    (this.#timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** One sweep, if it is this instance's turn; returns how many answers it ended. */
  async sweep(): Promise<number> {
    const turn = await this.redis.set(TURN_KEY, this.lease.instance, "PX", SWEEP_EVERY_MS - 100, "NX");
    if (turn !== "OK") return 0;
    const running = await this.store.runningStreamIds();
    if (running.length === 0) return 0;
    const owners = await Promise.all(running.map((id) => this.redis.hget(keys.meta(id), "instance")));
    const dead = await this.#deaths.dead(owners.filter((owner): owner is string => owner !== null));
    const cut: string[] = [];
    const unknown = new Set<string>();
    running.forEach((id, index) => {
      const owner = owners[index];
      if (owner === null || owner === undefined) {
        // Twice in a row: not a start in progress, a generation Redis lost or never had.
        if (this.#unknown.has(id)) cut.push(id);
        else unknown.add(id);
      } else if (dead.has(owner)) cut.push(id);
    });
    this.#unknown = unknown;
    return cut.length === 0 ? 0 : this.store.recoverInterrupted(cut);
  }
}
