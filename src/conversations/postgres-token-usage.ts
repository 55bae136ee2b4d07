/**
 * The token ledger and budgets on PostgreSQL (migration 10): sqlite-token-usage.ts's statements.
 * Every instance adds to the same rows (an upsert that adds), so their counts agree.
 */
import type { Sql } from "postgres";
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
import { inTransaction, type Queries } from "./postgres-database.ts";
import { rethrowAsStoreError } from "./postgres-errors.ts";

/** TokenUsageStore.addTokenUsage on `sql`. */
export async function addTokenUsage(sql: Sql, entries: UsageEntry[]): Promise<void> {
  // One ordered pass: two instances adding to the same rows lock them in the same order.
  const sorted = [...entries].sort((a, b) =>
    `${a.user}\n${a.day}\n${a.model}`.localeCompare(`${b.user}\n${b.day}\n${b.model}`),
  );
  await inTransaction(sql, async (tx) => {
    for (const entry of sorted)
      await tx`INSERT INTO token_usage (owner, day, model, prompt_tokens, completion_tokens, estimated_tokens, answers)
        VALUES (${entry.user}, ${entry.day}, ${entry.model}, ${entry.prompt_tokens}, ${entry.completion_tokens},
          ${entry.estimated_tokens}, ${entry.answers})
        ON CONFLICT (owner, day, model) DO UPDATE SET
          prompt_tokens = token_usage.prompt_tokens + EXCLUDED.prompt_tokens,
          completion_tokens = token_usage.completion_tokens + EXCLUDED.completion_tokens,
          estimated_tokens = token_usage.estimated_tokens + EXCLUDED.estimated_tokens,
          answers = token_usage.answers + EXCLUDED.answers`;
  });
}

/** TokenUsageStore.tokenUsageReport on `sql`. */
export async function tokenUsageReport(sql: Sql, { from, to, user }: UsageQuery): Promise<UsageRow[]> {
  return sql<UsageRow[]>`
    SELECT owner AS user, day, model, prompt_tokens, completion_tokens,
      (prompt_tokens + completion_tokens)::bigint AS total_tokens, estimated_tokens, answers
    FROM token_usage WHERE day >= ${from} AND day <= ${to} ${user === undefined ? sql`` : sql`AND owner = ${user}`}
    ORDER BY day, owner, model`.catch(rethrowAsStoreError);
}

/** TokenUsageStore.budgetReading on `sql`. */
export async function budgetReading(sql: Sql, user: string, day: string): Promise<BudgetReading> {
  const [spent] = await sql<{ day_tokens: number; month_tokens: number }[]>`
    SELECT coalesce(sum(CASE WHEN day = ${day} THEN prompt_tokens + completion_tokens END), 0)::bigint AS day_tokens,
      coalesce(sum(prompt_tokens + completion_tokens), 0)::bigint AS month_tokens
    FROM token_usage WHERE owner = ${user} AND day >= ${monthStart(day)} AND day <= ${day}`.catch(rethrowAsStoreError);
  return {
    day_tokens: spent?.day_tokens ?? 0,
    month_tokens: spent?.month_tokens ?? 0,
    override: await overrideOf(sql, user).catch(rethrowAsStoreError),
  };
}

async function overrideOf(sql: Queries, user: string): Promise<BudgetOverride | undefined> {
  const [row] = await sql<BudgetOverride[]>`
    SELECT tokens_per_day, tokens_per_month FROM token_budgets WHERE owner = ${user}`;
  return row ? { tokens_per_day: row.tokens_per_day, tokens_per_month: row.tokens_per_month } : undefined;
}

/** TokenUsageStore.budgetOverrides on `sql`. */
export async function budgetOverrides(sql: Sql): Promise<UserBudgetOverride[]> {
  const rows = await sql<UserBudgetOverride[]>`
    SELECT owner AS user, tokens_per_day, tokens_per_month FROM token_budgets ORDER BY owner`.catch(
    rethrowAsStoreError,
  );
  return rows.map(({ user, tokens_per_day, tokens_per_month }) => ({ user, tokens_per_day, tokens_per_month }));
}

/** TokenUsageStore.setBudgetOverride on `sql`. */
export function setBudgetOverride(sql: Sql, user: string, change: BudgetChange): Promise<BudgetOverride | undefined> {
  return inTransaction(sql, async (tx) => {
    // Two changes of one user's budget take turns, whether or not the row exists yet.
    await tx`SELECT pg_advisory_xact_lock(hashtext(${`sluice-budget:${user}`}))`;
    const next = budgetAfter(await overrideOf(tx, user), change);
    if (!next) {
      await tx`DELETE FROM token_budgets WHERE owner = ${user}`;
      return undefined;
    }
    await tx`INSERT INTO token_budgets (owner, tokens_per_day, tokens_per_month, updated_at)
      VALUES (${user}, ${next.tokens_per_day}, ${next.tokens_per_month}, ${Date.now()})
      ON CONFLICT (owner) DO UPDATE SET tokens_per_day = EXCLUDED.tokens_per_day,
        tokens_per_month = EXCLUDED.tokens_per_month, updated_at = EXCLUDED.updated_at`;
    return next;
  });
}
