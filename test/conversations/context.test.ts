import { describe, expect, test } from "bun:test";
import { assembleContext, estimateTokens, expectedParent } from "../../src/conversations/context.ts";
import type { Message } from "../../src/conversations/store.ts";

let next = 0;
function message(role: Message["role"], content: string, status: Message["status"] = "complete"): Message {
  return { id: `m${++next}`, role, content, status, created_at: "2026-01-01T00:00:00.000Z" };
}

const settings = { systemPrompt: undefined, maxContextTokens: 10_000 };

describe("assembleContext", () => {
  test("the stored turns, then the new question; failed answers left out", () => {
    const stored = [
      message("user", "q1"),
      message("assistant", "a1"),
      message("user", "q2"),
      message("assistant", "", "error"),
      message("user", "q3"),
      message("assistant", "half", "interrupted"),
      message("user", "q4"),
      message("assistant", "stopped here", "cancelled"),
    ];
    expect(assembleContext(stored, "q5", settings).messages.map((m) => m.content)).toEqual([
      "q1",
      "a1",
      "q2",
      "q3",
      "q4",
      "stopped here",
      "q5",
    ]);
  });

  test("the system prompt comes first", () => {
    const { messages } = assembleContext([], "hi", { ...settings, systemPrompt: "Be brief." });
    expect(messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "hi" },
    ]);
  });

  test("past the window the oldest turns are dropped, newest kept, the question always", () => {
    const stored = Array.from({ length: 10 }, (_, i) => message(i % 2 ? "assistant" : "user", "x".repeat(400)));
    const perTurn = estimateTokens({ role: "user", content: "x".repeat(400) });
    const window = perTurn * 3 + estimateTokens({ role: "user", content: "now" });
    const { messages, dropped } = assembleContext(stored, "now", { ...settings, maxContextTokens: window });
    expect(messages).toHaveLength(4);
    expect(dropped).toBe(7);
    expect(messages.at(-1)).toEqual({ role: "user", content: "now" });
  });

  test("a retry of the failed last exchange is not sent twice", () => {
    const stored = [
      message("user", "q1"),
      message("assistant", "a1"),
      message("user", "q2"),
      message("assistant", "", "error"),
    ];
    expect(assembleContext(stored, "q2", settings).messages.map((m) => m.content)).toEqual(["q1", "a1", "q2"]);
  });
});

describe("expectedParent", () => {
  test("the last message, or before the failed exchange a retry replaces; null when empty", () => {
    const stored = [
      message("user", "q1"),
      message("assistant", "a1"),
      message("user", "q2"),
      message("assistant", "", "error"),
    ];
    expect(expectedParent([], "hi")).toBeNull();
    expect(expectedParent(stored, "something new")).toBe(stored[3]?.id as string);
    expect(expectedParent(stored, "q2")).toBe(stored[1]?.id as string);
  });
});
