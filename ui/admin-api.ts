/**
 * The admin page's calls to the admin API (src/http/admin.ts). A failure becomes an Error with
 * the server's own message; a 404 means this person is not (or no longer) an admin.
 */
import type { BudgetOverride, UserBudget } from "../src/admin/admin-data.ts";
import type { AdminOverview } from "../src/admin/overview.ts";
import type { StoredAuditEntry } from "../src/conversations/admin-store.ts";
import type { RunningGeneration } from "../src/generation/running.ts";

export type { AdminOverview, UserOverview } from "../src/admin/overview.ts";
export type { StoredAuditEntry } from "../src/conversations/admin-store.ts";
export type { RunningGeneration } from "../src/generation/running.ts";

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) location.assign("/login?return=/admin");
  const payload = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  if (!response.ok) throw new Error(payload?.error?.message ?? `the server answered ${response.status}`);
  return payload as T;
}

export const adminApi = {
  session: () => call<{ user: string; admin: boolean }>("GET", "/api/session"),
  users: (days: number) => call<AdminOverview>("GET", `/api/admin/users?days=${days}`),
  running: () => call<{ generations: RunningGeneration[] }>("GET", "/api/admin/generations"),
  stop: (id: string) => call<RunningGeneration>("DELETE", `/api/admin/generations/${encodeURIComponent(id)}`),
  signOutEverywhere: (user: string) =>
    call<{ user: string; signed_out_before: string }>("POST", "/api/admin/sign-outs", { user }),
  setBudget: (user: string, budget: BudgetOverride) =>
    call<UserBudget>("POST", "/api/admin/budgets", { user, ...budget }),
  audit: (before?: number) =>
    call<{ entries: StoredAuditEntry[] }>("GET", `/api/admin/audit${before === undefined ? "" : `?before=${before}`}`),
};
