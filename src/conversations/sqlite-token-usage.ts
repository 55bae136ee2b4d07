/**
 * The token ledger and budgets on SQLite (tables token_usage and token_budgets, migration 11);
 * PostgreSQL's are postgres-token-usage.ts, the same statements.
 */
import type { DatabaseSync } from "node:sqlite";
import { monthStart } from "../usage/calendar.ts";
import {
  type BudgetChange,
  type BudgetOverride,
  type BudgetReading,
  budgetAfter,
  type UsageEntry,
  type UsageQuery,
  type UsageRow,
  type UserBudgetOverride,
} from "../usage/usage-store.ts";
import { inTransaction } from "./sqlite-database.ts";

/** TokenUsageStore.addTokenUsage on `db`. */
export function addTokenUsage(db: DatabaseSync, entries: UsageEntry[]): void {
  inTransaction(db, () => {
    const add = db.prepare(
      `INSERT INTO token_usage (owner, day, model, prompt_tokens, completion_tokens, estimated_tokens, answers)
         VALUES (:user, :day, :model, :prompt_tokens, :completion_tokens, :estimated_tokens, :answers)
       ON CONFLICT (owner, day, model) DO UPDATE SET
         prompt_tokens = prompt_tokens + excluded.prompt_tokens,
         completion_tokens = completion_tokens + excluded.completion_tokens,
         estimated_tokens = estimated_tokens + excluded.estimated_tokens,
         answers = answers + excluded.answers`,
    );
    for (const entry of entries) add.run({ ...entry });
  });
}

/** TokenUsageStore.tokenUsageReport on `db`. */
export function tokenUsageReport(db: DatabaseSync, { from, to, user }: UsageQuery): UsageRow[] {
  const rows = db
    .prepare(
      `SELECT owner AS user, day, model, prompt_tokens, completion_tokens, prompt_tokens + completion_tokens AS total_tokens,
         estimated_tokens, answers
       FROM token_usage WHERE day >= :from AND day <= :to AND (:user IS NULL OR owner = :user)
       ORDER BY day, owner, model`,
    )
    .all({ from, to, user: user ?? null });
  return rows as unknown as UsageRow[];
}

/** TokenUsageStore.budgetReading on `db`. */
export function budgetReading(db: DatabaseSync, user: string, day: string): BudgetReading {
  const spent = db
    .prepare(
      `SELECT coalesce(sum(CASE WHEN day = :day THEN prompt_tokens + completion_tokens END), 0) AS day_tokens,
         coalesce(sum(prompt_tokens + completion_tokens), 0) AS month_tokens
       FROM token_usage WHERE owner = :user AND day >= :first AND day <= :day`,
    )
    .get({ user, day, first: monthStart(day) }) as { day_tokens: number; month_tokens: number };
  return { ...spent, override: overrideOf(db, user) };
}

function overrideOf(db: DatabaseSync, user: string): BudgetOverride | undefined {
  const row = db.prepare("SELECT tokens_per_day, tokens_per_month FROM token_budgets WHERE owner = ?").get(user);
  return row ? { ...(row as unknown as BudgetOverride) } : undefined;
}

/** TokenUsageStore.budgetOverrides on `db`. */
export function budgetOverrides(db: DatabaseSync): UserBudgetOverride[] {
  const rows = db
    .prepare("SELECT owner AS user, tokens_per_day, tokens_per_month FROM token_budgets ORDER BY owner")
    .all();
  return rows.map((row) => ({ ...(row as unknown as UserBudgetOverride) }));
}

/** TokenUsageStore.setBudgetOverride on `db`. */
export function setBudgetOverride(db: DatabaseSync, user: string, change: BudgetChange): BudgetOverride | undefined {
  return inTransaction(db, () => {
    const next = budgetAfter(overrideOf(db, user), change);
    if (!next) {
      db.prepare("DELETE FROM token_budgets WHERE owner = ?").run(user);
      return undefined;
    }
    db.prepare(
      `INSERT INTO token_budgets (owner, tokens_per_day, tokens_per_month, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (owner) DO UPDATE SET tokens_per_day = excluded.tokens_per_day,
         tokens_per_month = excluded.tokens_per_month, updated_at = excluded.updated_at`,
    ).run(user, next.tokens_per_day, next.tokens_per_month, Date.now());
    return next;
  });
}
