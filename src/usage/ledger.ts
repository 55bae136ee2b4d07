/**
 * The token ledger's writes, batched: a model call's usage is added in memory when it ends, and
 * the sums by user, day and model are written every `flushMs` in one transaction (and at
 * shutdown), so the cost is one write a second however many answers end. What is not written yet
 * still counts for this instance's budget checks ({@link unflushed}); other instances see it once
 * it is written.
 */
import type { Usage } from "../contract.ts";
import { monthStart, utcDay } from "./calendar.ts";
import type { TokenUsageStore, UsageEntry } from "./usage-store.ts";

export class UsageLedger {
  /** Sums not yet written, by user, day and model. */
  readonly #pending = new Map<string, UsageEntry>();
  /** The same, per user and day, in tokens: what a budget check adds to what the store holds. */
  #pendingTokens = new Map<string, Map<string, number>>();
  /** The tokens of the write under way: counted until it is done, so no check misses them meanwhile. */
  #writingTokens = new Map<string, Map<string, number>>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: TokenUsageStore,
    private readonly flushMs: number,
    /** Told which users' usage was just written (their cached budget readings are stale). */
    private readonly written: (users: ReadonlySet<string>) => void = () => {},
  ) {}

  /** Counts one model call's `usage` for `user` and `model`, on today's UTC day. */
  add(user: string, model: string, usage: Usage, now = Date.now()): void {
    const day = utcDay(now);
    const key = `${user}\n${day}\n${model}`;
    const entry = this.#pending.get(key) ?? emptyEntry(user, day, model);
    entry.prompt_tokens += usage.prompt_tokens;
    entry.completion_tokens += usage.completion_tokens;
    if (usage.estimated) entry.estimated_tokens += usage.prompt_tokens + usage.completion_tokens;
    entry.answers++;
    this.#pending.set(key, entry);
    const days = this.#pendingTokens.get(user) ?? new Map<string, number>();
    days.set(day, (days.get(day) ?? 0) + usage.prompt_tokens + usage.completion_tokens);
    this.#pendingTokens.set(user, days);
    this.#timer ??= setTimeout(() => void this.flush(), this.flushMs);
    // A pending write must not keep the process alive; shutdown flushes it.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /** `user`'s tokens counted here and not written yet: on `day`, and in its month up to it. */
  unflushed(user: string, day: string): { day: number; month: number } {
    const first = monthStart(day);
    const sums = { day: 0, month: 0 };
    for (const days of [this.#pendingTokens.get(user), this.#writingTokens.get(user)]) {
      for (const [pendingDay, tokens] of days ?? []) {
        if (pendingDay === day) sums.day += tokens;
        if (pendingDay >= first && pendingDay <= day) sums.month += tokens;
      }
    }
    return sums;
  }

  /**
   * Writes what is pending; one write at a time. A failed write keeps its sums for the next one
   * (the store logs the failure), so a database outage loses nothing this process counted.
   */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#write());
    return this.#flushing;
  }

  async #write(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.size === 0) return;
    const entries = [...this.#pending.values()];
    this.#pending.clear();
    this.#writingTokens = this.#pendingTokens;
    this.#pendingTokens = new Map();
    try {
      await this.store.addTokenUsage(entries);
      this.written(new Set(entries.map((entry) => entry.user)));
    } catch {
      for (const entry of entries) this.#restore(entry);
      for (const [user, days] of this.#writingTokens)
        for (const [day, count] of days) this.#restoreTokens(user, day, count);
      this.#timer ??= setTimeout(() => void this.flush(), this.flushMs);
    } finally {
      this.#writingTokens = new Map();
    }
  }

  #restore(entry: UsageEntry): void {
    const key = `${entry.user}\n${entry.day}\n${entry.model}`;
    const newer = this.#pending.get(key);
    if (!newer) {
      this.#pending.set(key, entry);
      return;
    }
    newer.prompt_tokens += entry.prompt_tokens;
    newer.completion_tokens += entry.completion_tokens;
    newer.estimated_tokens += entry.estimated_tokens;
    newer.answers += entry.answers;
  }

  #restoreTokens(user: string, day: string, count: number): void {
    const days = this.#pendingTokens.get(user) ?? new Map<string, number>();
    days.set(day, (days.get(day) ?? 0) + count);
    this.#pendingTokens.set(user, days);
  }
}

function emptyEntry(user: string, day: string, model: string): UsageEntry {
  return { user, day, model, prompt_tokens: 0, completion_tokens: 0, estimated_tokens: 0, answers: 0 };
}
