/**
 * Fair shares of the conversation store between users. Every store call waits in its user's own
 * queue; when a slot frees, the user served least recently goes next, one call at a time, so one
 * user's flood of searches delays another user's list by at most one call each, never by the
 * whole flood. A user may hold at most `perUser` slots and have `queuedPerUser` calls waiting;
 * past that their next call is refused at once (429 store_busy) rather than queued behind the
 * others. Work the server must finish (storing an answer, checkpoints) is never refused.
 */
import { SluiceError } from "../errors.ts";

export interface FairQueueSettings {
  /** Calls running at once, all users together: 1 for the SQLite worker, the pool size for PostgreSQL. */
  concurrency: number;
  /** Calls of one user running at once. */
  perUser: number;
  /** Calls of one user waiting at once; past it, 429 store_busy. */
  queuedPerUser: number;
}

/** The user has as many store calls waiting as they may: the store is theirs to share. */
export class StoreBusyError extends SluiceError {
  override name = "StoreBusyError";
  constructor(waiting: number) {
    super("store_busy", `you have ${waiting} requests waiting for the conversation store; retry shortly`, 429, {
      retryable: true,
      retryAfterSeconds: 1,
    });
  }
}

/** Whose share a call counts against: a user's name, or a symbol for the server's own work (and other callers without a name). */
export type QueueKey = string | symbol;
export const SERVER_WORK = Symbol("server work");

interface Waiting {
  work: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class FairQueue {
  readonly #waiting = new Map<QueueKey, Waiting[]>();
  readonly #running = new Map<QueueKey, number>();
  /** When each busy key was last served (a count of calls started): the least recent goes next. */
  readonly #served = new Map<QueueKey, number>();
  #started = 0;
  #active = 0;

  constructor(
    private readonly settings: FairQueueSettings,
    /** Called for every refusal (sluice_rejected_total{reason="store_busy"}). */
    private readonly rejected: (reason: string) => void = () => {},
  ) {}

  /**
   * Runs `work` when `key`'s turn comes; throws {@link StoreBusyError} when `key` has too many
   * calls waiting, unless `mustRun`.
   */
  run<T>(key: QueueKey, work: () => Promise<T>, mustRun = false): Promise<T> {
    const queue = this.#waiting.get(key) ?? [];
    if (!mustRun && queue.length >= this.settings.queuedPerUser) {
      this.rejected("store_busy");
      return Promise.reject(new StoreBusyError(queue.length));
    }
    return new Promise<T>((resolve, reject) => {
      queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.#waiting.set(key, queue);
      this.#serve();
    });
  }

  /** Calls waiting, all keys together. */
  get waiting(): number {
    let count = 0;
    for (const queue of this.#waiting.values()) count += queue.length;
    return count;
  }

  /** Starts calls while slots are free, each time for the key served least recently. */
  #serve(): void {
    while (this.#active < this.settings.concurrency) {
      const key = this.#nextKey();
      if (key === undefined) return;
      const queue = this.#waiting.get(key) as Waiting[];
      const call = queue.shift() as Waiting;
      if (queue.length === 0) this.#waiting.delete(key);
      this.#served.set(key, this.#started++);
      this.#start(key, call);
    }
  }

  /** Of the keys with a call waiting and a slot of their own free, the one served least recently. */
  #nextKey(): QueueKey | undefined {
    let next: QueueKey | undefined;
    let oldest = Number.POSITIVE_INFINITY;
    for (const key of this.#waiting.keys()) {
      if ((this.#running.get(key) ?? 0) >= this.settings.perUser) continue;
      // A key not served since it was last idle goes before every key served since.
      const served = this.#served.get(key) ?? -1;
      if (served < oldest) {
        next = key;
        oldest = served;
      }
    }
    return next;
  }

  #start(key: QueueKey, call: Waiting): void {
    this.#active++;
    this.#running.set(key, (this.#running.get(key) ?? 0) + 1);
    const done = () => {
      this.#active--;
      const running = (this.#running.get(key) ?? 1) - 1;
      if (running > 0) this.#running.set(key, running);
      else {
        this.#running.delete(key);
        if (!this.#waiting.has(key)) this.#served.delete(key);
      }
      this.#serve();
    };
    // Settled after the slot is given back, so a caller that calls again at once queues behind the round.
    Promise.resolve()
      .then(call.work)
      .then(
        (value) => {
          done();
          call.resolve(value);
        },
        (error) => {
          done();
          call.reject(error);
        },
      );
  }
}
