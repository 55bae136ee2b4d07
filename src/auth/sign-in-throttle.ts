/**
 * Online guessing of access tokens, slowed down: every failed sign-in (a wrong token at
 * `POST /api/session`, a wrong `Authorization: Bearer`) counts against the client's address and,
 * when the attempt names a user (`alice:<token>`), against that name. Past
 * SIGN_IN_FAILURES_PER_MINUTE in a rolling minute, that address or name gets 429 with
 * Retry-After, before its token is even looked at. Each failure is logged, never with the token.
 * Counted per instance: with N instances a guesser gets N times the rate, still a few a second.
 */
import { SluiceError } from "../errors.ts";
import { logWarning } from "../log.ts";

const MINUTE_MS = 60_000;
// Past this many addresses and names in the table, the idle ones are swept out.
const SWEEP_AT = 10_000;

export class TooManySignInsError extends SluiceError {
  override name = "TooManySignInsError";
  constructor(retryAfterSeconds: number) {
    super("too_many_sign_ins", "too many failed sign-ins; wait before trying again", 429, {
      retryable: true,
      retryAfterSeconds,
    });
  }
}

/** Who an attempt counts against: `address:<ip>` and, when it names one, `user:<name>`. */
export function attemptKeys(address: string | undefined, user?: string): string[] {
  return [`address:${address ?? "unknown"}`, ...(user === undefined ? [] : [`user:${user}`])];
}

export class SignInThrottle {
  readonly #failures = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    /** Called with "sign_in" for every refusal (sluice_rejected_total). */
    private readonly rejected: (reason: string) => void = () => {},
  ) {}

  /** Throws {@link TooManySignInsError} when any of `keys` has used up its failures. */
  check(keys: string[], now = Date.now()): void {
    let oldest: number | undefined;
    for (const key of keys) {
      const failures = this.#recent(key, now);
      if (failures.length >= this.perMinute) oldest = Math.min(oldest ?? Infinity, failures[0] as number);
    }
    if (oldest === undefined) return;
    this.rejected("sign_in");
    throw new TooManySignInsError(Math.max(1, Math.ceil((oldest + MINUTE_MS - now) / 1000)));
  }

  /** Counts one failed attempt against each of `keys`, and logs it (what failed, never the token). */
  fail(keys: string[], what: "sign_in" | "bearer", now = Date.now()): void {
    if (this.#failures.size > SWEEP_AT) this.#sweep(now);
    for (const key of keys) this.#failures.set(key, [...this.#recent(key, now), now]);
    logWarning("authentication failed", { what, from: keys });
  }

  #recent(key: string, now: number): number[] {
    const failures = (this.#failures.get(key) ?? []).filter((at) => at > now - MINUTE_MS);
    if (failures.length === 0) this.#failures.delete(key);
    return failures;
  }

  #sweep(now: number): void {
    for (const key of [...this.#failures.keys()]) this.#recent(key, now);
  }
}
