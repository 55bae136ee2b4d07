/**
 * The simulator's counters: how many requests started and how each one ended, plus a bounded
 * record of the cancellations it saw, so tests and load tests can prove that a client's
 * disconnect reached the model (and how fast: `seen_at_ms` is epoch time with fractions).
 */

/** One client disconnect as the simulator saw it. */
export interface CancellationRecord {
  /** The `x-request-id` header of the request, or one the simulator made up. */
  request_id: string;
  /** When the simulator noticed: `performance.timeOrigin + performance.now()`, epoch ms with fractions. */
  seen_at_ms: number;
  /** Content tokens written before the client went away. */
  tokens_sent: number;
}

export interface SimulatorStats {
  started: number;
  completed: number;
  cancelled: number;
  /** Requests ended by a fault (`status`, `drop`, `malformed`). */
  failed: number;
  active: number;
  /** Oldest first; the last {@link CANCELLATION_HISTORY} only. */
  cancellations: CancellationRecord[];
}

export type Outcome = "completed" | "cancelled" | "failed";

/** Enough for a load test's whole run, small enough (~1 MB) to keep forever. */
export const CANCELLATION_HISTORY = 10_000;

/** Counters for one simulator; every request calls `start` once and `finish` once. */
export class SimulatorCounters {
  #started = 0;
  #completed = 0;
  #cancelled = 0;
  #failed = 0;
  #active = 0;
  #ring: CancellationRecord[] = [];
  /** Where the next record goes once the ring is full. */
  #next = 0;

  start(): void {
    this.#started++;
    this.#active++;
  }

  finish(outcome: Outcome, cancellation?: CancellationRecord): void {
    this.#active--;
    if (outcome === "completed") this.#completed++;
    else if (outcome === "failed") this.#failed++;
    else {
      this.#cancelled++;
      if (cancellation) this.#remember(cancellation);
    }
  }

  /** Zeroes the totals for a fresh measurement; `active` stays true to the requests still running. */
  reset(): void {
    this.#started = this.#completed = this.#cancelled = this.#failed = 0;
    this.#ring = [];
    this.#next = 0;
  }

  snapshot(): SimulatorStats {
    return {
      started: this.#started,
      completed: this.#completed,
      cancelled: this.#cancelled,
      failed: this.#failed,
      active: this.#active,
      cancellations: [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)],
    };
  }

  #remember(record: CancellationRecord): void {
    if (this.#ring.length < CANCELLATION_HISTORY) {
      this.#ring.push(record);
      return;
    }
    this.#ring[this.#next] = record;
    this.#next = (this.#next + 1) % CANCELLATION_HISTORY;
  }
}
