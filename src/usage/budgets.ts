/**
 * Token budgets: how many tokens (prompt and completion, as providers bill both) one user may
 * spend in a UTC day (LIMIT_USER_TOKENS_PER_DAY) and month (LIMIT_USER_TOKENS_PER_MONTH), each
 * user's own where an admin set one; 0 is no budget. Checked before every model call, against
 * the ledger (shared by every instance through the database) and what this instance counted but
 * has not written yet. A reading is kept for `cacheMs` per user, and shared by the checks that
 * arrive while it is read, so a burst of answers costs one read.
 *
 * A running answer that crosses its user's budget finishes: the check is at the start of each
 * call, and the relay counts nothing per token (usage is counted once, at the end). So a user
 * may end past a budget by what their running answers produce (each at most MAX_OUTPUT_TOKENS,
 * at most LIMIT_USER_CONCURRENT of them); every later call is refused until the reset.
 */
import { SluiceError } from "../errors.ts";
import { nextDayStart, nextMonthStart, utcDay } from "./calendar.ts";
import type { BudgetOverride, BudgetReading, TokenUsageStore } from "./usage-store.ts";

/** The settings' budgets in tokens; 0: none. */
export interface BudgetSettings {
  perDay: number;
  perMonth: number;
}

export type BudgetPeriod = "day" | "month";

/** A user past a budget: 429 with the moment it resets (Retry-After, `resets_at`). */
export class BudgetExceededError extends SluiceError {
  override name = "BudgetExceededError";
  constructor(period: BudgetPeriod, limit: number, used: number, resetsAt: number, now: number) {
    const when = new Date(resetsAt).toISOString();
    super(
      "budget_exceeded",
      `you have used ${used} tokens of your ${period === "day" ? "daily" : "monthly"} budget of ${limit}; it resets at ${when}`,
      429,
      {
        retryAfterSeconds: Math.max(1, Math.ceil((resetsAt - now) / 1000)),
        details: { budget: period, limit, used, resets_at: when },
      },
    );
  }
}

/** One period's budget as a user sees it: null limit is none. */
export interface PeriodBudget {
  limit: number | null;
  used: number;
  resets_at: string;
}

/** A user's budgets now, and their own settings where an admin set them. */
export interface UserBudget {
  day: PeriodBudget;
  month: PeriodBudget;
  override: BudgetOverride | undefined;
}

/** The budgets that apply to a user: their own where set, else the settings'; 0 becomes null (none). */
export function limitsOf(settings: BudgetSettings, override: BudgetOverride | undefined) {
  const day = override?.tokens_per_day ?? settings.perDay;
  const month = override?.tokens_per_month ?? settings.perMonth;
  return { day: day > 0 ? day : null, month: month > 0 ? month : null };
}

// Past this many users, readings older than their lifetime are swept out on the next check.
const SWEEP_AT = 10_000;

export class TokenBudgets {
  readonly #readings = new Map<string, { at: number; day: string; reading: Promise<BudgetReading> }>();

  constructor(
    private readonly store: TokenUsageStore,
    private readonly settings: BudgetSettings,
    /** What this instance counted for a user and has not written yet (ledger.ts). */
    private readonly unflushed: (user: string, day: string) => { day: number; month: number },
    private readonly cacheMs = 1_000,
  ) {}

  /** `user`'s budgets now: limits, tokens used, and when each resets; and their own settings. */
  async of(user: string, now = Date.now()): Promise<UserBudget> {
    const day = utcDay(now);
    const reading = await this.#read(user, day, now);
    const limits = limitsOf(this.settings, reading.override);
    const pending = this.unflushed(user, day);
    return {
      day: { limit: limits.day, used: reading.day_tokens + pending.day, resets_at: iso(nextDayStart(now)) },
      month: { limit: limits.month, used: reading.month_tokens + pending.month, resets_at: iso(nextMonthStart(now)) },
      override: reading.override,
    };
  }

  /** Throws {@link BudgetExceededError} when `user` has spent a budget; the later reset when both. */
  async admit(user: string, now = Date.now()): Promise<void> {
    const { day, month } = await this.of(user, now);
    const spent = (budget: PeriodBudget) => budget.limit !== null && budget.used >= budget.limit;
    if (spent(month))
      throw new BudgetExceededError("month", month.limit as number, month.used, nextMonthStart(now), now);
    if (spent(day)) throw new BudgetExceededError("day", day.limit as number, day.used, nextDayStart(now), now);
  }

  /** Forgets the readings of `users`: their usage or budget changed. */
  forget(users: Iterable<string>): void {
    for (const user of users) this.#readings.delete(user);
  }

  #read(user: string, day: string, now: number): Promise<BudgetReading> {
    if (this.#readings.size > SWEEP_AT) this.#sweep(now);
    const kept = this.#readings.get(user);
    if (kept && kept.day === day && now - kept.at < this.cacheMs) return kept.reading;
    const reading = this.store.budgetReading(user, day);
    const entry = { at: now, day, reading };
    this.#readings.set(user, entry);
    // A failed read is not kept: the next check asks again.
    reading.catch(() => this.#readings.get(user) === entry && this.#readings.delete(user));
    return reading;
  }

  #sweep(now: number): void {
    for (const [user, entry] of this.#readings) if (now - entry.at >= this.cacheMs) this.#readings.delete(user);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
