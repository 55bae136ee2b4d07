/**
 * Token accounting, as the server uses it: every model call's usage is counted for its user and
 * model (ledger.ts), each call is admitted within its user's budgets (budgets.ts), and reports
 * and budget changes go through here, so that what this instance counted is in every answer.
 *
 * For the admin API: {@link TokenAccounting.usageReport} (usage by user, day and model),
 * {@link TokenAccounting.budgetOf} (where a user stands) and {@link TokenAccounting.setBudget}
 * (a user's own budget).
 */
import type { Usage } from "../contract.ts";
import { type BudgetSettings, TokenBudgets, type UserBudget } from "./budgets.ts";
import { UsageLedger } from "./ledger.ts";
import type {
  BudgetChange,
  BudgetOverride,
  TokenUsageStore,
  UsageQuery,
  UsageRow,
  UserBudgetOverride,
} from "./usage-store.ts";

export interface AccountingSettings extends BudgetSettings {
  /** How often counted usage is written (default 1 s). */
  flushMs?: number;
  /** How long a user's budget reading is reused (default 1 s). */
  readingMs?: number;
}

export type { UserBudget };

export class TokenAccounting {
  readonly #ledger: UsageLedger;
  readonly #budgets: TokenBudgets;

  constructor(
    private readonly store: TokenUsageStore,
    settings: AccountingSettings,
  ) {
    this.#ledger = new UsageLedger(store, settings.flushMs ?? 1_000, (users) => this.#budgets.forget(users));
    this.#budgets = new TokenBudgets(
      store,
      settings,
      (user, day) => this.#ledger.unflushed(user, day),
      settings.readingMs ?? 1_000,
    );
  }

  /** Counts one model call of `user` to `model`; nothing for a call that cost nothing (undefined). */
  record(user: string, model: string, usage: Usage | undefined): void {
    if (!usage) return;
    this.#ledger.add(user, model, usage);
  }

  /** Throws 429 `budget_exceeded` when `user` has spent a budget; call before a model call starts. */
  admit(user: string): Promise<void> {
    return this.#budgets.admit(user);
  }

  /** Usage by user, UTC day and model for the query's days (and user), with what was just counted. */
  async usageReport(query: UsageQuery): Promise<UsageRow[]> {
    await this.#ledger.flush();
    return this.store.tokenUsageReport(query);
  }

  /** `user`'s budgets now: limit (null: none), tokens used, reset time; and their own settings. */
  budgetOf(user: string): Promise<UserBudget> {
    return this.#budgets.of(user);
  }

  /**
   * Sets `user`'s own budget: `day`/`month` a number of tokens (0: no budget), null back to the
   * setting, absent unchanged. Every instance applies it within a second (their readings expire).
   */
  async setBudget(user: string, change: BudgetChange): Promise<BudgetOverride | undefined> {
    const override = await this.store.setBudgetOverride(user, change);
    this.#budgets.forget([user]);
    return override;
  }

  /** Every user with a budget of their own (the admin page). */
  budgetOverrides(): Promise<UserBudgetOverride[]> {
    return this.store.budgetOverrides();
  }

  /** Writes what was counted (at shutdown, and before a report). */
  flush(): Promise<void> {
    return this.#ledger.flush();
  }
}
