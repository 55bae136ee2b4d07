/**
 * The limits on open event-stream connections, shared by every kind: API streams, `/chat` and
 * `/v1` pass-through streams. Each holds a socket, a viewer and its buffers; past MAX_OPEN_STREAMS
 * on this instance, or past the user's own share (LIMIT_USER_OPEN_STREAMS, on every instance), a
 * new one is refused with 429 before anything is started for it.
 */
import { TooManyOpenStreamsError } from "../errors.ts";
import { type Held, HeldOnce, NOTHING_HELD } from "../held.ts";
import type { UserStreamLimiter } from "../limits/user-streams.ts";

export class StreamSlots {
  #open = 0;

  constructor(
    private readonly max: number,
    private readonly perUser: UserStreamLimiter,
    /** Called with "open_streams" for every refusal. */
    private readonly rejected: (reason: string) => void = () => {},
  ) {}

  get open(): number {
    return this.#open;
  }

  /** Throws what {@link acquire} would throw now, without taking a slot. */
  async admit(limitKey: string | undefined): Promise<void> {
    this.#checkTotal();
    if (limitKey !== undefined) await this.perUser.admit(limitKey);
  }

  /** Takes a slot (and one of the user's) or throws; both are held until the slot is released. */
  async acquire(limitKey: string | undefined): Promise<Held> {
    this.#checkTotal();
    this.#open++;
    let user = NOTHING_HELD;
    try {
      if (limitKey !== undefined) user = await this.perUser.acquire(limitKey);
    } catch (error) {
      this.#open--;
      throw error;
    }
    return new OpenStream(this, user);
  }

  /** A slot was given back ({@link OpenStream.release}). */
  closed(): void {
    this.#open--;
  }

  #checkTotal(): void {
    if (this.#open < this.max) return;
    this.rejected("open_streams");
    throw new TooManyOpenStreamsError(this.max);
  }
}

/** One open stream's slot, and its user's, held until it is released. */
class OpenStream extends HeldOnce {
  constructor(
    private readonly slots: StreamSlots,
    private readonly user: Held,
  ) {
    super();
  }

  protected giveBack(): void {
    this.slots.closed();
    this.user.release();
  }
}
