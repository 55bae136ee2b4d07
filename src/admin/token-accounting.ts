/**
 * The admin page's usage and budgets (admin-data.ts) read from the server's own token accounting
 * (usage/accounting.ts): what every user spent by day and model, who has a budget of their own,
 * and setting one (null: back to the server's default).
 */
import type { TokenAccounting } from "../usage/accounting.ts";
import type { UsageAdmin } from "./admin-data.ts";

export function usageAdminOf(accounting: TokenAccounting): UsageAdmin {
  return {
    usage: { usageReport: (span) => accounting.usageReport(span) },
    budgets: {
      budgets: () => accounting.budgetOverrides(),
      async setBudget(user, budget) {
        await accounting.setBudget(user, { day: budget.tokens_per_day, month: budget.tokens_per_month });
      },
    },
  };
}
