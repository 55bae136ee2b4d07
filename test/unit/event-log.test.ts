import { describe, expect, test } from "bun:test";
import type { EndEvent, GenerationEvent, StepRecord } from "../../src/contract.ts";
import {
  cutToBytes,
  EventLog,
  JOINED_TOKEN_MEMORY_BYTES,
  SEGMENT_ENTRIES,
  TOKEN_MEMORY_BYTES,
  utf8Bytes,
} from "../../src/generation/event-log.ts";
import { seeded } from "./seeded-random.ts";

describe("cutToBytes", () => {
  test("keeps text that fits, whole", () => {
    expect(cutToBytes("hello", 5)).toBe("hello");
    expect(cutToBytes("hello", 100)).toBe("hello");
  });

  test("cuts at the budget in UTF-8 bytes, never inside a character", () => {
    expect(cutToBytes("héllo", 2)).toBe("h"); // é is 2 bytes: 1 + 2 > 2
    expect(cutToBytes("héllo", 3)).toBe("hé");
    expect(cutToBytes("€€", 5)).toBe("€"); // 3 bytes each
    expect(cutToBytes("a😀b", 4)).toBe("a"); // the emoji is a surrogate pair of 4 bytes
    expect(cutToBytes("a😀b", 5)).toBe("a😀");
    expect(cutToBytes("abc", 0)).toBe("");
  });

  test("a large cut is exact and fast enough for a 10 MB chunk", () => {
    const text = "ü".repeat(5 * 1024 * 1024);
    const kept = cutToBytes(text, 1_000_001);
    expect(utf8Bytes(kept)).toBe(1_000_000);
  });
});

test("the log counts its text in UTF-8 bytes", () => {
  const log = new EventLog();
  log.appendToken("ab");
  log.appendToken("é€");
  expect(log.bytes).toBe(2 + 2 + 3);
});

test("the log counts its memory as the runtime holds it: two bytes per UTF-16 unit and each entry's overhead", () => {
  const log = new EventLog();
  log.appendToken("ab");
  log.appendToken("é€😀");
  expect(log.memoryBytes).toBe(2 * 2 + 2 * 4 + 2 * TOKEN_MEMORY_BYTES);
  // Short tokens cost mostly their entries: several times their UTF-8 bytes.
  expect(log.memoryBytes).toBeGreaterThan(5 * log.bytes);
});

/** What the log must answer, kept the plain way: an entry per event. */
function plainLog(entries: (string | StepRecord)[], end: EndEvent | undefined) {
  return {
    tokenText: (index: number) => (typeof entries[index] === "string" ? entries[index] : undefined),
    at: (index: number): GenerationEvent | undefined => {
      const entry = entries[index];
      if (typeof entry === "string") return { id: index + 1, type: "token", text: entry };
      if (entry !== undefined) return { id: index + 1, ...entry } as GenerationEvent;
      return index === entries.length ? end : undefined;
    },
  };
}

const TOKENS = ["", "a", "hé", "€", "😀", " world", "\n", "x".repeat(300), '\u0000\\"', "ü"];

describe("the log joins its entries into segments", () => {
  test("every entry reads back the same across segment boundaries, before and after the end, with steps among the tokens", () => {
    const random = seeded(24);
    for (let round = 0; round < 60; round++) {
      const log = new EventLog();
      const entries: (string | StepRecord)[] = [];
      const count = Math.floor(random() * 5 * SEGMENT_ENTRIES);
      for (let index = 0; index < count; index++) {
        if (random() < 0.1) {
          const step: StepRecord = { type: "tool_call", call_id: `call-${index}`, name: "search" };
          log.appendStep(step);
          entries.push(step);
        } else {
          const text = TOKENS[Math.floor(random() * TOKENS.length)] as string;
          log.appendToken(text);
          entries.push(text);
        }
        // Read while it grows, as a live viewer does: the newest entry, and one further back.
        const plain = plainLog(entries, undefined);
        expect(log.tokenText(index)).toBe(plain.tokenText(index));
        const back = Math.floor(random() * (index + 1));
        expect(log.at(back)).toEqual(plain.at(back));
      }
      const check = (end: EndEvent | undefined) => {
        const plain = plainLog(entries, end);
        expect(log.length).toBe(entries.length + (end ? 1 : 0));
        for (let index = -1; index <= entries.length + 1; index++) {
          expect(log.tokenText(index)).toBe(plain.tokenText(index));
          expect(log.at(index)).toEqual(plain.at(index));
        }
        expect(log.text()).toBe(entries.filter((entry) => typeof entry === "string").join(""));
        expect(log.tokenCount).toBe(entries.filter((entry) => typeof entry === "string").length);
        expect(log.stepCount).toBe(entries.length - log.tokenCount);
      };
      check(undefined);
      const end: EndEvent = { id: entries.length + 1, type: "error", code: "x", message: "y", retryable: false };
      log.close(end);
      check(end);
    }
  });

  test("a tool step's offset is the text before it, wherever its segment is", () => {
    const log = new EventLog();
    for (let index = 0; index < SEGMENT_ENTRIES + 3; index++) log.appendToken("ab");
    log.appendStep({ type: "tool_call", call_id: "c1", name: "search" });
    log.appendStep({ type: "tool_result", call_id: "c1", content: "found" });
    log.appendToken("z");
    expect(log.toolSteps()).toEqual([
      {
        call_id: "c1",
        name: "search",
        arguments: "",
        status: "ok",
        result: "found",
        offset: 2 * (SEGMENT_ENTRIES + 3),
      },
    ]);
    expect(log.text()).toBe(`${"ab".repeat(SEGMENT_ENTRIES + 3)}z`);
  });

  test("a joined token is counted at its text and its end's slot, no longer at its own string", () => {
    const log = new EventLog();
    for (let index = 0; index < SEGMENT_ENTRIES - 1; index++) log.appendToken("abcd");
    expect(log.memoryBytes).toBe((SEGMENT_ENTRIES - 1) * (2 * 4 + TOKEN_MEMORY_BYTES));
    log.appendToken("abcd");
    expect(log.memoryBytes).toBe(SEGMENT_ENTRIES * (2 * 4 + JOINED_TOKEN_MEMORY_BYTES));
    log.appendToken("abcd");
    log.close({ id: SEGMENT_ENTRIES + 2, type: "error", code: "x", message: "y", retryable: false });
    expect(log.memoryBytes).toBe((SEGMENT_ENTRIES + 1) * (2 * 4 + JOINED_TOKEN_MEMORY_BYTES));
  });
});
