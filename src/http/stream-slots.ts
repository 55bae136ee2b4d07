/**
 * The limit on open event-stream connections (MAX_OPEN_STREAMS), shared by every kind: API
 * streams, `/chat` and `/v1` pass-through streams. Each holds a socket, a viewer and its buffers;
 * past the limit a new one is refused with 429 before anything is started for it.
 */
import { TooManyOpenStreamsError } from "../errors.ts";

export class StreamSlots {
  #open = 0;

  constructor(
    private readonly max: number,
    /** Called with "open_streams" for every refusal. */
    private readonly rejected: (reason: string) => void = () => {},
  ) {}

  get open(): number {
    return this.#open;
  }

  /** Throws {@link TooManyOpenStreamsError} when no slot is free, without taking one. */
  check(): void {
    if (this.#open < this.max) return;
    this.rejected("open_streams");
    throw new TooManyOpenStreamsError(this.max);
  }

  /** Takes a slot or throws; the returned function gives it back (idempotent). */
  acquire(): () => void {
    this.check();
    this.#open++;
    let held = true;
    return () => {
      if (held) this.#open--;
      held = false;
    };
  }
}
