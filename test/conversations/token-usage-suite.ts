/**
 * Tokens, as every backend must keep them: each answer's usage (a continuation's added to its
 * answer's), each conversation's (replaced and deleted answers included), the ledger by user, UTC
 * day and model, and budgets per user. Each backend's test file calls {@link describeTokenUsage}.
 */
import { describe, expect, test } from "bun:test";
import type { Usage } from "../../src/contract.ts";
import type { UsageEntry } from "../../src/usage/usage-store.ts";
import { freshStorePerTest } from "./fresh-store.ts";
import type { OpenStore } from "./store-suite.ts";

const usage = (prompt: number, completion: number, estimated = false): Usage => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  ...(estimated ? { estimated: true as const } : {}),
});

const entry = (user: string, day: string, model: string, prompt: number, completion: number): UsageEntry => ({
  user,
  day,
  model,
  prompt_tokens: prompt,
  completion_tokens: completion,
  estimated_tokens: 0,
  answers: 1,
});

export function describeTokenUsage(backend: string, open: OpenStore): void {
  describe(`token usage on ${backend}`, () => {
    const fresh = freshStorePerTest(open);

    test("an answer keeps its usage, a continuation adds to it; the conversation counts every answer", async () => {
      const store = await fresh();
      const { id } = await store.create("alice");
      await store.beginExchange("alice", id, { streamId: "s1", userContent: "q", title: "q" });
      await store.finishExchange("alice", id, {
        streamId: "s1",
        content: "cut",
        status: "complete",
        figures: { ttft_ms: 1, total_ms: 2, completion_tokens: 3, finish_reason: "length" },
        usage: usage(10, 3),
      });
      const answer = (await store.get("alice", id))?.messages[1];
      expect(answer?.usage).toEqual(usage(10, 3));
      await store.beginExchange("alice", id, { streamId: "s2", title: "q", continues: answer?.id ?? "" });
      await store.finishExchange("alice", id, {
        streamId: "s2",
        content: " more",
        status: "cancelled",
        figures: { ttft_ms: 1, total_ms: 2, completion_tokens: 2, finish_reason: "cancelled" },
        usage: usage(14, 2, true),
      });
      const continued = (await store.get("alice", id))?.messages[1];
      expect(continued?.usage).toEqual(usage(24, 5, true));
      // A question has none; an answer that failed at once has none either.
      expect((await store.get("alice", id))?.messages[0]?.usage).toBeUndefined();
      // Deleting the answer leaves what it cost in the conversation's count.
      await store.deleteBranch("alice", id, continued?.id ?? "");
      expect(await store.conversationUsage("alice", id)).toEqual({
        prompt_tokens: 24,
        completion_tokens: 5,
        total_tokens: 29,
        estimated_tokens: 16,
      });
      expect(await store.conversationUsage("bob", id)).toBeUndefined();
    });

    test("a failed answer keeps what it cost; one that cost nothing has no usage", async () => {
      const store = await fresh();
      const { id } = await store.create("alice");
      await store.beginExchange("alice", id, { streamId: "s1", userContent: "q", title: "q" });
      const error = { code: "upstream_unavailable", message: "broke", retryable: true };
      await store.finishExchange("alice", id, {
        streamId: "s1",
        content: "half",
        status: "error",
        error,
        usage: usage(7, 1, true),
      });
      const failed = (await store.get("alice", id))?.messages[1];
      expect(failed?.usage).toEqual(usage(7, 1, true));
      expect(failed?.figures).toBeUndefined();
      await store.beginExchange("alice", id, { streamId: "s2", userContent: "q", title: "q" });
      await store.finishExchange("alice", id, { streamId: "s2", content: "", status: "error", error });
      expect((await store.get("alice", id))?.messages[1]?.usage).toBeUndefined();
      expect((await store.conversationUsage("alice", id))?.total_tokens).toBe(8);
    });

    test("the ledger adds by user, day and model, and reports a range of days", async () => {
      const store = await fresh();
      await store.addTokenUsage([entry("alice", "2026-03-01", "a", 10, 5), entry("bob", "2026-03-01", "a", 1, 1)]);
      await store.addTokenUsage([entry("alice", "2026-03-01", "a", 3, 2), entry("alice", "2026-03-02", "b", 4, 4)]);
      await store.addTokenUsage([{ ...entry("alice", "2026-02-28", "a", 100, 0), estimated_tokens: 100 }]);
      const march = await store.tokenUsageReport({ from: "2026-03-01", to: "2026-03-31" });
      expect(march).toEqual([
        { ...entry("alice", "2026-03-01", "a", 13, 7), answers: 2, total_tokens: 20 },
        { ...entry("bob", "2026-03-01", "a", 1, 1), total_tokens: 2 },
        { ...entry("alice", "2026-03-02", "b", 4, 4), total_tokens: 8 },
      ]);
      const alice = await store.tokenUsageReport({ from: "2026-02-01", to: "2026-03-01", user: "alice" });
      expect(alice.map((row) => [row.day, row.total_tokens, row.estimated_tokens])).toEqual([
        ["2026-02-28", 100, 100],
        ["2026-03-01", 20, 0],
      ]);
    });

    test("a budget reading: the day's tokens and the month's up to it, and the user's own budget", async () => {
      const store = await fresh();
      await store.addTokenUsage([
        entry("alice", "2026-02-28", "a", 1000, 0),
        entry("alice", "2026-03-01", "a", 10, 5),
        entry("alice", "2026-03-02", "a", 20, 5),
        entry("alice", "2026-03-02", "b", 1, 1),
        entry("alice", "2026-03-03", "a", 500, 0),
        entry("bob", "2026-03-02", "a", 99, 0),
      ]);
      expect(await store.budgetReading("alice", "2026-03-02")).toEqual({
        day_tokens: 27,
        month_tokens: 42,
        override: undefined,
      });
      expect(await store.setBudgetOverride("alice", { day: 100 })).toEqual({
        tokens_per_day: 100,
        tokens_per_month: null,
      });
      expect(await store.setBudgetOverride("alice", { month: 0 })).toEqual({
        tokens_per_day: 100,
        tokens_per_month: 0,
      });
      expect((await store.budgetReading("alice", "2026-03-02")).override).toEqual({
        tokens_per_day: 100,
        tokens_per_month: 0,
      });
      expect((await store.budgetReading("bob", "2026-03-02")).override).toBeUndefined();
      // The admin page lists who has a budget of their own.
      expect(await store.budgetOverrides()).toEqual([{ user: "alice", tokens_per_day: 100, tokens_per_month: 0 }]);
      // Back to the settings for both: nothing of alice's own is left.
      expect(await store.setBudgetOverride("alice", { day: null, month: null })).toBeUndefined();
      expect(await store.budgetOverrides()).toEqual([]);
      expect((await store.budgetReading("alice", "2026-03-02")).override).toBeUndefined();
    });
  });
}
