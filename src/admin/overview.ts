/**
 * The admin page's list of users: everyone who stores a conversation, has used tokens in the span
 * asked for, or has a budget of their own, each with their storage, last activity, usage by day
 * and model, and budget.
 */
import type { UserActivity } from "../conversations/admin-store.ts";
import type { BudgetOverride, UsageAdmin, UsageRow } from "./admin-data.ts";

export interface UserOverview {
  user: string;
  conversations: number;
  stored_bytes: number;
  /** ISO 8601, or null when they store nothing. */
  last_active_at: string | null;
  /** By day, then model. */
  usage: Omit<UsageRow, "user">[];
  prompt_tokens: number;
  completion_tokens: number;
  /** Their own budget, or null: the server's default. */
  budget: BudgetOverride | null;
}

export interface AdminOverview {
  from: string;
  to: string;
  /** Whether token usage is recorded (and budgets can be set) on this server. */
  usage_recorded: boolean;
  budgets_settable: boolean;
  users: UserOverview[];
}

const DAY_MS = 86_400_000;

/** The span of `days` whole days (UTC) ending today. */
export function daySpan(days: number, now = Date.now()): { from: string; to: string } {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: day(now - (days - 1) * DAY_MS), to: day(now) };
}

function blank(user: string): UserOverview {
  const empty = { conversations: 0, stored_bytes: 0, last_active_at: null, usage: [] };
  return { user, ...empty, prompt_tokens: 0, completion_tokens: 0, budget: null };
}

/** Every user of the three sources, by name. */
export async function overview(
  activity: UserActivity[],
  { usage, budgets }: UsageAdmin,
  span: { from: string; to: string },
): Promise<AdminOverview> {
  const [rows, overrides] = await Promise.all([usage?.usageReport(span) ?? [], budgets?.budgets() ?? []]);
  const users = new Map<string, UserOverview>();
  const of = (user: string) => users.get(user) ?? (users.set(user, blank(user)).get(user) as UserOverview);
  for (const row of activity) Object.assign(of(row.user), row);
  for (const { user, ...row } of rows) {
    const entry = of(user);
    entry.usage.push(row);
    entry.prompt_tokens += row.prompt_tokens;
    entry.completion_tokens += row.completion_tokens;
  }
  for (const { user, ...budget } of overrides) of(user).budget = budget;
  for (const entry of users.values())
    entry.usage.sort((a, b) => a.day.localeCompare(b.day) || a.model.localeCompare(b.model));
  return {
    ...span,
    usage_recorded: usage !== undefined,
    budgets_settable: budgets !== undefined,
    users: [...users.values()].sort((a, b) => a.user.localeCompare(b.user)),
  };
}
