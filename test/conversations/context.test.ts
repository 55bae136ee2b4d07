import { describe, expect, test } from "bun:test";
import type { ModelMessage as ChatMessageWithParts } from "../../src/contract.ts";
import { assembleContext, estimateTokens } from "../../src/conversations/context.ts";
import { IMAGE_TOKENS, questionsWithImagesToCarry } from "../../src/conversations/context-images.ts";
import type { Message } from "../../src/conversations/store.ts";
import { expectedParent, placeQuestion } from "../../src/conversations/turn-thread.ts";

let next = 0;
function message(role: Message["role"], content: string, status: Message["status"] = "complete"): Message {
  return { id: `m${++next}`, role, content, status, created_at: "2026-01-01T00:00:00.000Z" };
}

const settings = { systemPrompt: undefined, maxContextTokens: 10_000 };
const ask = (text: string) => ({ text, images: [] });

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
    expect(assembleContext(stored, ask("q5"), settings).messages.map((m) => m.content)).toEqual([
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
    const { messages } = assembleContext([], ask("hi"), { ...settings, systemPrompt: "Be brief." });
    expect(messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "hi" },
    ]);
  });

  test("past the window the oldest turns are dropped, newest kept, the question always", () => {
    const stored = Array.from({ length: 10 }, (_, i) => message(i % 2 ? "assistant" : "user", "x".repeat(400)));
    const perTurn = estimateTokens({ role: "user", content: "x".repeat(400) });
    const window = perTurn * 3 + estimateTokens({ role: "user", content: "now" });
    const { messages, dropped } = assembleContext(stored, ask("now"), { ...settings, maxContextTokens: window });
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
    const { history, retried } = placeQuestion(stored, "q2", false);
    expect(retried).toBe(stored[2] as Message);
    expect(assembleContext(history, ask("q2"), settings).messages.map((m) => m.content)).toEqual(["q1", "a1", "q2"]);
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

describe("images in the context", () => {
  const png = (fill: number) => ({
    media_type: "image/png" as const,
    data: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, fill]),
  });
  const withImages = (content: string, count: number): Message => ({
    ...message("user", content),
    images: Array.from({ length: count }, (_, i) => ({ id: `i${i}`, media_type: "image/png", size: 9 })),
  });

  test("the newest questions' images are carried, whole questions only, within the cap after the sent ones", () => {
    const old = withImages("old", 2);
    const mid = withImages("mid", 3);
    const recent = withImages("recent", 1);
    const thread = [old, message("assistant", "a"), mid, message("assistant", "b"), recent, message("assistant", "c")];
    expect(questionsWithImagesToCarry(thread, 1, 4)).toEqual([recent.id, old.id]);
    expect(questionsWithImagesToCarry(thread, 0, 4)).toEqual([recent.id, mid.id]);
    expect(questionsWithImagesToCarry(thread, 4, 4)).toEqual([]);
  });

  test("a question with images goes as content parts; a carried one keeps its images, the rest their text", () => {
    const first = withImages("first", 1);
    const second = withImages("second", 1);
    const stored = [first, message("assistant", "a1"), second, message("assistant", "a2")];
    const { messages } = assembleContext(
      stored,
      { text: "third", images: [png(3)] },
      settings,
      new Map([[second.id, [png(2)]]]),
    );
    expect(messages.map((m) => (typeof m.content === "string" ? m.content : m.content.map((p) => p.type)))).toEqual([
      "first",
      "a1",
      ["text", "image_bytes"],
      "a2",
      ["text", "image_bytes"],
    ]);
    expect(messages.at(-1)?.content).toEqual([
      { type: "text", text: "third" },
      { type: "image_bytes", media_type: "image/png", data: png(3).data },
    ]);
  });

  test("a retry asks again with the failed question's stored images; an image counts ~800 tokens", () => {
    const asked = withImages("look", 1);
    const stored = [asked, message("assistant", "", "error")];
    const { history, retried } = placeQuestion(stored, "look", false);
    const carried = new Map([[asked.id, [png(1)]]]);
    const { messages } = assembleContext(
      history,
      { text: "look", images: carried.get(retried?.id ?? "") ?? [] },
      settings,
    );
    expect(messages).toHaveLength(1);
    expect(Array.isArray(messages[0]?.content)).toBe(true);
    expect(estimateTokens(messages[0] as ChatMessageWithParts)).toBe(4 + 1 + IMAGE_TOKENS);
  });
});
