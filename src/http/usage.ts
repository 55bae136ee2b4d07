/**
 * Token usage, for the signed-in user: `GET /api/usage` (their tokens by UTC day and model, with
 * their budgets) and `GET /api/conversations/:id/usage` (what one conversation's answers cost).
 * The admin's view of everyone's is another route's, over the same accounting.
 */
import { Elysia } from "elysia";
import type { ConversationStore } from "../conversations/store.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { TokenAccounting } from "../usage/accounting.ts";
import { isDay, monthStart, utcDay } from "../usage/calendar.ts";
import type { UsageRow } from "../usage/usage-store.ts";
import { userOf } from "./requester.ts";
import { ConversationIdParams, UsageReportQuery } from "./schemas.ts";

/** The longest report one call reads: a year and a day. */
const MAX_REPORT_DAYS = 366;
const DAY_MS = 86_400_000;

/** The days a query asks for, checked: real days, `from` not after `to`, at most a year apart. */
export function reportDays(query: { from?: string | undefined; to?: string | undefined }, now = Date.now()) {
  const to = query.to ?? utcDay(now);
  const from = query.from ?? monthStart(to);
  for (const [field, day] of [
    ["from", from],
    ["to", to],
  ] as const)
    if (!isDay(day)) throw new ValidationError(field, `${day} is not a day of the calendar`);
  const span = (Date.parse(to) - Date.parse(from)) / DAY_MS;
  if (span < 0) throw new ValidationError("from", "must not be after to");
  if (span >= MAX_REPORT_DAYS) throw new ValidationError("from", `must be at most ${MAX_REPORT_DAYS} days before to`);
  return { from, to };
}

/** The sums of a report's rows. */
export function totalOf(rows: readonly UsageRow[]) {
  const total = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, estimated_tokens: 0, answers: 0 };
  for (const row of rows) {
    total.prompt_tokens += row.prompt_tokens;
    total.completion_tokens += row.completion_tokens;
    total.total_tokens += row.total_tokens;
    total.estimated_tokens += row.estimated_tokens;
    total.answers += row.answers;
  }
  return total;
}

export function usageRoutes(store: ConversationStore, accounting: TokenAccounting) {
  return new Elysia()
    .get(
      "/api/usage",
      async ({ query, request }) => {
        const user = userOf(request);
        const { from, to } = reportDays(query);
        const rows = await accounting.usageReport({ from, to, user });
        const { day, month } = await accounting.budgetOf(user);
        const days = rows.map(({ user: _, ...row }) => row);
        return { from, to, days, total: totalOf(rows), budget: { day, month } };
      },
      { query: UsageReportQuery },
    )
    .get(
      "/api/conversations/:id/usage",
      async ({ params, request }) => {
        const usage = await store.conversationUsage(userOf(request), params.id);
        if (!usage) throw new NotFoundError(`conversation ${params.id}`);
        return usage;
      },
      { params: ConversationIdParams },
    );
}
