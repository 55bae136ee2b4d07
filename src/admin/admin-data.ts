/**
 * What the admin page shows and changes beyond Sluice's own parts, as small interfaces: token
 * usage by user, day and model, and per-user budgets, which the usage recorder keeps. Whatever
 * implements them is handed to the admin routes (app.ts); without one, the page shows storage
 * and activity alone and offers no budget.
 */

/** A span of whole days, UTC, both ends included (YYYY-MM-DD). */
export interface UsageReportOptions {
  from: string;
  to: string;
}

/** One user's tokens on one day with one model. */
export interface UsageRow {
  user: string;
  day: string;
  model: string;
  prompt_tokens: number;
  completion_tokens: number;
}

export interface UsageSource {
  usageReport(options: UsageReportOptions): Promise<UsageRow[]>;
}

/** A user's own token budget; null: the server's default (LIMIT_USER_TOKENS_PER_DAY / _PER_MONTH). */
export interface BudgetOverride {
  tokens_per_day: number | null;
  tokens_per_month: number | null;
}

export interface UserBudget extends BudgetOverride {
  user: string;
}

export interface BudgetControl {
  /** Every user with a budget of their own. */
  budgets(): Promise<UserBudget[]>;
  setBudget(user: string, budget: BudgetOverride): Promise<void>;
}

/** The usage recorder's side of the admin page; each part optional. */
export interface UsageAdmin {
  usage?: UsageSource | undefined;
  budgets?: BudgetControl | undefined;
}
