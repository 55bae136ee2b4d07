import { describe, expect, test } from "bun:test";
import { cutToBytes, EventLog, TOKEN_MEMORY_BYTES, utf8Bytes } from "../../src/generation/event-log.ts";

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
