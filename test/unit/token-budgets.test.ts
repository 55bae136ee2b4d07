/**
 * The token accounting on an in-memory ledger: calls counted in memory and written once a flush
 * interval, what is not written yet counted by the checks, budgets refused with their reset
 * time, a user's own budget in place of the settings', one reading for a burst of checks, and a
 * failed write that loses nothing.
 */
import { expect, test } from "bun:test";
import type { Usage } from "../../src/contract.ts";
import { TokenAccounting } from "../../src/usage/accounting.ts";
import { BudgetExceededError } from "../../src/usage/budgets.ts";
import { isDay, monthStart, nextDayStart, nextMonthStart, utcDay } from "../../src/usage/calendar.ts";
import {
  type BudgetChange,
  type BudgetOverride,
  budgetAfter,
  type TokenUsageStore,
  type UsageEntry,
} from "../../src/usage/usage-store.ts";

/** The ledger's rules in memory, counting its reads and writes. */
class MemoryLedger implements TokenUsageStore {
  rows: UsageEntry[] = [];
  overrides = new Map<string, BudgetOverride>();
  reads = 0;
  writes = 0;
  failWrites = false;

  async addTokenUsage(entries: UsageEntry[]) {
    if (this.failWrites) throw new Error("the database is down");
    this.writes++;
    this.rows.push(...entries.map((entry) => ({ ...entry })));
  }
  async tokenUsageReport() {
    return this.rows.map((row) => ({ ...row, total_tokens: row.prompt_tokens + row.completion_tokens }));
  }
  async budgetReading(user: string, day: string) {
    this.reads++;
    const mine = this.rows.filter((row) => row.user === user && row.day >= monthStart(day) && row.day <= day);
    const sum = (rows: UsageEntry[]) => rows.reduce((n, row) => n + row.prompt_tokens + row.completion_tokens, 0);
    const today = mine.filter((row) => row.day === day);
    return { day_tokens: sum(today), month_tokens: sum(mine), override: this.overrides.get(user) };
  }
  async budgetOverrides() {
    return [...this.overrides].map(([user, override]) => ({ user, ...override }));
  }
  async setBudgetOverride(user: string, change: BudgetChange) {
    const next = budgetAfter(this.overrides.get(user), change);
    if (next) this.overrides.set(user, next);
    else this.overrides.delete(user);
    return next;
  }
}

const used = (tokens: number): Usage => ({ prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens });

test("UTC days and months: the day of an instant, when it and its month end, real days only", () => {
  const at = Date.parse("2026-12-31T23:59:59.500Z");
  expect(utcDay(at)).toBe("2026-12-31");
  expect(new Date(nextDayStart(at)).toISOString()).toBe("2027-01-01T00:00:00.000Z");
  expect(new Date(nextMonthStart(at)).toISOString()).toBe("2027-01-01T00:00:00.000Z");
  expect(monthStart("2026-02-17")).toBe("2026-02-01");
  expect([isDay("2024-02-29"), isDay("2026-02-29"), isDay("2026-13-01"), isDay("26-01-01")]).toEqual([
    true,
    false,
    false,
    false,
  ]);
});

test("calls are written once a flush interval, summed by user, day and model", async () => {
  const ledger = new MemoryLedger();
  const accounting = new TokenAccounting(ledger, { perDay: 0, perMonth: 0, flushMs: 20 });
  accounting.record("alice", "a", used(10));
  accounting.record("alice", "a", { ...used(5), estimated: true });
  accounting.record("alice", "b", used(1));
  accounting.record("bob", "a", undefined);
  expect(ledger.writes).toBe(0);
  await Bun.sleep(60);
  expect(ledger.writes).toBe(1);
  const rows = ledger.rows.map(({ user, model, prompt_tokens, estimated_tokens, answers }) => ({
    user,
    model,
    prompt_tokens,
    estimated_tokens,
    answers,
  }));
  expect(rows).toEqual([
    { user: "alice", model: "a", prompt_tokens: 15, estimated_tokens: 5, answers: 2 },
    { user: "alice", model: "b", prompt_tokens: 1, estimated_tokens: 0, answers: 1 },
  ]);
});

test("a budget refuses at the limit with budget_exceeded, Retry-After and resets_at; what is not written counts", async () => {
  const ledger = new MemoryLedger();
  const accounting = new TokenAccounting(ledger, { perDay: 100, perMonth: 0, flushMs: 60_000 });
  await accounting.admit("alice");
  accounting.record("alice", "a", used(99));
  await accounting.admit("alice");
  accounting.record("alice", "a", used(1));
  const refusal = await accounting.admit("alice").catch((error: unknown) => error);
  expect(refusal).toBeInstanceOf(BudgetExceededError);
  const error = refusal as BudgetExceededError;
  const midnight = new Date(nextDayStart(Date.now())).toISOString();
  expect(error.status).toBe(429);
  expect(error.toJSON().error).toMatchObject({ code: "budget_exceeded", budget: "day", limit: 100, used: 100 });
  expect(error.toJSON().error).toMatchObject({ resets_at: midnight });
  expect(error.retryAfterSeconds).toBe(Math.max(1, Math.ceil((Date.parse(midnight) - Date.now()) / 1000)));
  // Nothing was written yet: the refusal came from this instance's own count.
  expect(ledger.writes).toBe(0);
  // Bob's budget is his own.
  await accounting.admit("bob");
});

test("the month's budget, and a user's own budget in place of the settings' (0: none)", async () => {
  const ledger = new MemoryLedger();
  const today = utcDay(Date.now());
  ledger.rows.push({
    user: "alice",
    day: today,
    model: "a",
    prompt_tokens: 500,
    completion_tokens: 0,
    estimated_tokens: 0,
    answers: 1,
  });
  const accounting = new TokenAccounting(ledger, { perDay: 0, perMonth: 400, readingMs: 0 });
  const refusal = (await accounting.admit("alice").catch((error: unknown) => error)) as BudgetExceededError;
  expect(refusal.toJSON().error).toMatchObject({
    budget: "month",
    resets_at: new Date(nextMonthStart(Date.now())).toISOString(),
  });
  await accounting.setBudget("alice", { month: 0 });
  await accounting.admit("alice");
  await accounting.setBudget("alice", { month: 1_000, day: 500 });
  expect(await accounting.admit("alice").catch((error: unknown) => (error as BudgetExceededError).code)).toBe(
    "budget_exceeded",
  );
  const budget = await accounting.budgetOf("alice");
  expect(budget.day).toMatchObject({ limit: 500, used: 500 });
  expect(budget.month).toMatchObject({ limit: 1_000, used: 500 });
  expect(budget.override).toEqual({ tokens_per_day: 500, tokens_per_month: 1_000 });
});

test("a burst of checks shares one reading; a recorded call makes the next check read again", async () => {
  const ledger = new MemoryLedger();
  const accounting = new TokenAccounting(ledger, { perDay: 1_000, perMonth: 0, flushMs: 10 });
  await Promise.all(Array.from({ length: 50 }, () => accounting.admit("alice")));
  expect(ledger.reads).toBe(1);
  accounting.record("alice", "a", used(10));
  await Bun.sleep(40);
  await accounting.admit("alice");
  expect(ledger.reads).toBe(2);
});

test("a write that fails keeps its sums for the next one, and they still count meanwhile", async () => {
  const ledger = new MemoryLedger();
  ledger.failWrites = true;
  const accounting = new TokenAccounting(ledger, { perDay: 50, perMonth: 0, flushMs: 10 });
  accounting.record("alice", "a", used(60));
  await Bun.sleep(40);
  expect(ledger.rows).toEqual([]);
  expect(await accounting.admit("alice").catch((error: unknown) => (error as BudgetExceededError).code)).toBe(
    "budget_exceeded",
  );
  ledger.failWrites = false;
  await accounting.flush();
  expect(ledger.rows.map((row) => row.prompt_tokens)).toEqual([60]);
});
