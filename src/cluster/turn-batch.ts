/**
 * Writes gathered over one turn of the event loop and sent together at its end: under load many
 * answers end in the same turn, and a user's count is then written to Redis once for all of them,
 * not once per answer.
 */
export class TurnBatch<K> {
  #pending = new Map<K, number>();
  #scheduled = false;

  /** `flush` gets each key marked during the turn with the sum of its amounts. */
  constructor(private readonly flush: (pending: ReadonlyMap<K, number>) => void) {}

  /** Adds `amount` to `key`'s sum for this turn. */
  add(key: K, amount = 1): void {
    this.#pending.set(key, (this.#pending.get(key) ?? 0) + amount);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(flushBatch, this);
  }

  /** Hands what was marked since the last flush to `flush`, and starts a fresh sum. */
  run(): void {
    this.#scheduled = false;
    const pending = this.#pending;
    this.#pending = new Map();
    this.flush(pending);
  }
}

function flushBatch<K>(batch: TurnBatch<K>): void {
  batch.run();
}
