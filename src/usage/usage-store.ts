/**
 * What the token ledger keeps, and the store calls that keep it. Both conversation stores
 * (SQLite, PostgreSQL) implement them on their own database, so usage is shared exactly as
 * widely as conversations are: with PostgreSQL, by every instance.
 */

/** Tokens counted for one user, UTC day and model. */
export interface UsageEntry {
  user: string;
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
  /** Of those, the tokens Sluice estimated because the model reported none. */
  estimated_tokens: number;
  /** Model calls counted. */
  answers: number;
}

/** One row of a usage report. */
export interface UsageRow extends UsageEntry {
  total_tokens: number;
}

/** A report's days (`from` to `to`, both included, `YYYY-MM-DD`), for one user or everyone. */
export interface UsageQuery {
  from: string;
  to: string;
  user?: string | undefined;
}

/** A user's own budget in tokens, where it differs from the settings: null keeps the setting's; 0 is none. */
export interface BudgetOverride {
  tokens_per_day: number | null;
  tokens_per_month: number | null;
}

/** One user's own budget. */
export interface UserBudgetOverride extends BudgetOverride {
  user: string;
}

/** What a budget check reads: the tokens a user spent today and this month, and their own budget. */
export interface BudgetReading {
  day_tokens: number;
  month_tokens: number;
  override: BudgetOverride | undefined;
}

/** A change to a user's own budget: a number sets it (0: no budget), null returns to the setting, absent leaves it. */
export interface BudgetChange {
  day?: number | null | undefined;
  month?: number | null | undefined;
}

export interface TokenUsageStore {
  /** Adds `entries` to the ledger, in one transaction. */
  addTokenUsage(entries: UsageEntry[]): Promise<void>;
  /** The ledger's rows for the query's days (and user), oldest day first. */
  tokenUsageReport(query: UsageQuery): Promise<UsageRow[]>;
  /** `user`'s tokens on `day` and in its month up to it, and their own budget. */
  budgetReading(user: string, day: string): Promise<BudgetReading>;
  /** Every user with a budget of their own, by name. */
  budgetOverrides(): Promise<UserBudgetOverride[]>;
  /** Applies `change` to `user`'s own budget; returns it as it now is (undefined: the settings' apply). */
  setBudgetOverride(user: string, change: BudgetChange): Promise<BudgetOverride | undefined>;
}

/** `current` with `change` applied; undefined when nothing of the user's own is left (the settings apply). */
export function budgetAfter(current: BudgetOverride | undefined, change: BudgetChange): BudgetOverride | undefined {
  const next = {
    tokens_per_day: change.day === undefined ? (current?.tokens_per_day ?? null) : change.day,
    tokens_per_month: change.month === undefined ? (current?.tokens_per_month ?? null) : change.month,
  };
  return next.tokens_per_day === null && next.tokens_per_month === null ? undefined : next;
}
