/**
 * Open event streams per user (LIMIT_USER_OPEN_STREAMS): every `/api/streams`, `/chat` and `/v1`
 * stream holds a socket, a viewer and its buffers until it closes, so one user opening viewer
 * after viewer could otherwise take every slot of MAX_OPEN_STREAMS and leave the others 429. The
 * user is the signed-in one, or the client's address under AUTH=none (the limit key).
 */
import { SluiceError } from "../errors.ts";
import { type Held, HeldOnce, NOTHING_HELD } from "../held.ts";

export class UserStreamLimitError extends SluiceError {
  override name = "UserStreamLimitError";
  constructor(open: number) {
    super("too_many_user_streams", `you hold ${open} open streams already; close one first`, 429, {
      retryable: true,
      retryAfterSeconds: 1,
    });
  }
}

/** Open streams per user, on this instance or (cluster/shared-streams.ts) on every instance. */
export interface UserStreamLimiter {
  /** Throws what {@link acquire} would throw now, taking nothing. */
  admit(user: string): Promise<void>;
  /** Takes one of `user`'s streams or throws {@link UserStreamLimitError}; the stream is held until released. */
  acquire(user: string): Promise<Held>;
}

/** This process's count of each user's open streams. */
export class LocalUserStreams implements UserStreamLimiter {
  readonly #open = new Map<string, number>();

  constructor(
    private readonly max: number,
    /** Called with "user_streams" for every refusal (sluice_rejected_total). */
    private readonly rejected: (reason: string) => void = () => {},
  ) {}

  /** Streams `user` holds open on this instance. */
  openOf(user: string): number {
    return this.#open.get(user) ?? 0;
  }

  /** Every user with an open stream here, and how many. */
  entries(): IterableIterator<[string, number]> {
    return this.#open.entries();
  }

  async admit(user: string): Promise<void> {
    this.check(user, 0);
  }

  async acquire(user: string): Promise<Held> {
    return this.take(user, 0);
  }

  /** Throws when `user` holds `max` streams here and `elsewhere` on other instances. */
  check(user: string, elsewhere: number): void {
    const open = this.openOf(user) + elsewhere;
    if (open < this.max) return;
    this.rejected("user_streams");
    throw new UserStreamLimitError(open);
  }

  /** {@link check}, then {@link hold}. */
  take(user: string, elsewhere: number): Held {
    this.check(user, elsewhere);
    return this.hold(user);
  }

  /** Counts one more stream for `user` here, admitted elsewhere, until it is released. */
  hold(user: string): Held {
    this.#open.set(user, this.openOf(user) + 1);
    return new UserStream(this, user);
  }

  /** One of `user`'s streams closed ({@link UserStream.release}). */
  closed(user: string): void {
    const left = this.openOf(user) - 1;
    if (left > 0) this.#open.set(user, left);
    else this.#open.delete(user);
  }
}

/** One open stream of a user, counted until it is released. */
class UserStream extends HeldOnce {
  constructor(
    private readonly streams: LocalUserStreams,
    private readonly user: string,
  ) {
    super();
  }

  protected giveBack(): void {
    this.streams.closed(this.user);
  }
}

/** No per-user limit: only for the attacker suite's negative control. */
export const unlimitedUserStreams: UserStreamLimiter = {
  admit: async () => {},
  acquire: async () => NOTHING_HELD,
};
