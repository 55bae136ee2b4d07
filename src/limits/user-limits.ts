/**
 * Fair limits per user: how many generations (and `/v1` streams) one user may run at once, and
 * how many they may start per minute, so that one client cannot lock everyone else out of a
 * shared server. The user is the signed-in one, or the client's address when access control is
 * off (everyone is then the same user to the app).
 */
import { SluiceError } from "../errors.ts";
import { type Held, HeldOnce } from "../held.ts";

export interface UserLimitSettings {
  /** Running at once, per user (LIMIT_USER_CONCURRENT). */
  concurrent: number;
  /** Started per rolling minute, per user (LIMIT_USER_PER_MINUTE). */
  perMinute: number;
  /** Event streams open at once, per user, on every instance together (LIMIT_USER_OPEN_STREAMS). */
  openStreams: number;
}

export class UserLimitError extends SluiceError {
  override name = "UserLimitError";
  constructor(
    readonly reason: "user_concurrent" | "user_rate",
    message: string,
    retryAfterSeconds: number,
  ) {
    super("too_many_requests", message, 429, { retryable: true, retryAfterSeconds });
  }
}

const MINUTE_MS = 60_000;
// Past this many users in the table, idle ones are swept out on the next admission.
const SWEEP_AT = 10_000;

interface Usage {
  running: number;
  /** Start times within the last minute, oldest first. */
  starts: number[];
}

/** One running call of a user, counted until it is released. */
class RunningCall extends HeldOnce {
  constructor(private readonly usage: Usage) {
    super();
  }

  protected giveBack(): void {
    this.usage.running--;
  }
}

export class UserLimits {
  readonly #users = new Map<string, Usage>();

  constructor(
    private readonly settings: UserLimitSettings,
    /** Called with the reason of every refusal (sluice_rejected_total). */
    private readonly rejected: (reason: string) => void = () => {},
  ) {}

  /** Throws what {@link acquire} would throw now, taking nothing: for callers that prepare work first. */
  admit(user: string, now = Date.now()): void {
    this.acquire(user, now).release();
    const usage = this.#users.get(user);
    // Taking and giving back counted a start: take it back out.
    usage?.starts.pop();
    if (usage && usage.running === 0 && usage.starts.length === 0) this.#users.delete(user);
  }

  /**
   * Admits one more call for `user`, or throws {@link UserLimitError} (429 with a retry hint).
   * The call is counted until it is released; release it when the call ends.
   */
  acquire(user: string, now = Date.now()): Held {
    if (this.#users.size > SWEEP_AT) this.#sweep(now);
    const usage = this.#users.get(user) ?? { running: 0, starts: [] };
    while (usage.starts.length > 0 && (usage.starts[0] as number) <= now - MINUTE_MS) usage.starts.shift();
    if (usage.running >= this.settings.concurrent) {
      this.rejected("user_concurrent");
      throw new UserLimitError(
        "user_concurrent",
        `you are running ${usage.running} answers already; wait for one to end`,
        1,
      );
    }
    if (usage.starts.length >= this.settings.perMinute) {
      const wait = Math.ceil(((usage.starts[0] as number) + MINUTE_MS - now) / 1000);
      this.rejected("user_rate");
      throw new UserLimitError(
        "user_rate",
        `you started ${usage.starts.length} answers in the last minute`,
        Math.max(1, wait),
      );
    }
    usage.running++;
    usage.starts.push(now);
    this.#users.set(user, usage);
    return new RunningCall(usage);
  }

  /** Forgets users with nothing running and no start within the last minute. */
  #sweep(now: number): void {
    for (const [user, usage] of this.#users)
      if (usage.running === 0 && (usage.starts.at(-1) ?? 0) <= now - MINUTE_MS) this.#users.delete(user);
  }
}

/**
 * The limits as the routes use them: this process's {@link UserLimits}, or the same rules counted
 * on every instance (cluster/shared-limits.ts), which must ask Redis and so answers later.
 */
export interface UserLimiter {
  /** Throws what {@link acquire} would throw now, taking nothing. */
  admit(user: string): Promise<void>;
  /** Admits one more call for `user` or throws; it is counted until released. */
  acquire(user: string): Promise<Held>;
}

/** This process's limits as a {@link UserLimiter}. */
export function localLimiter(limits: UserLimits): UserLimiter {
  return {
    admit: async (user) => limits.admit(user),
    acquire: async (user) => limits.acquire(user),
  };
}
