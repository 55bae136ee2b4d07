/**
 * The heartbeat of every open stream: one timer per interval for all of them, rather than one
 * per stream, so an open stream holds no timer of its own.
 */

/** What a heartbeat beats for: an open stream, its comment written each interval. */
export interface Beating {
  heartbeat(): void;
}

class Heartbeat {
  readonly #beats = new Set<Beating>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly intervalMs: number) {}

  /** Calls `beat.heartbeat()` every interval until it is deleted. */
  add(beat: Beating): void {
    this.#beats.add(beat);
    this.#timer ??= setInterval(() => {
      for (const each of this.#beats) each.heartbeat();
    }, this.intervalMs);
  }

  delete(beat: Beating): void {
    this.#beats.delete(beat);
    if (this.#beats.size > 0 || this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

const heartbeats = new Map<number, Heartbeat>();

/** The heartbeat that beats every `intervalMs`. */
export function heartbeatsEvery(intervalMs: number): Heartbeat {
  let heartbeat = heartbeats.get(intervalMs);
  if (!heartbeat) {
    heartbeat = new Heartbeat(intervalMs);
    heartbeats.set(intervalMs, heartbeat);
  }
  return heartbeat;
}
