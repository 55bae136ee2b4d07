/**
 * The pure parts of the simulator: the `/sim` line, faults, echo pieces, the token text, the
 * script's lengths and the bounded cancellation record.
 */
import { describe, expect, test } from "bun:test";
import { DEFAULT_CONTINUE_INSTRUCTION } from "../../src/settings/continuation.ts";
import { splitDirective } from "../../src/simulator/directive.ts";
import { splitEcho } from "../../src/simulator/echo.ts";
import { SimulatorRequestError } from "../../src/simulator/errors.ts";
import { parseFault } from "../../src/simulator/faults.ts";
import { createScript } from "../../src/simulator/script.ts";
import { CANCELLATION_HISTORY, SimulatorCounters } from "../../src/simulator/stats.ts";
import { createTextTokens } from "../../src/simulator/text.ts";

const settings = { ttftMs: 200, tokensPerSecond: 30, maxTokens: 64 };

function scriptFor(content: string, maxTokens?: number) {
  const request = {
    model: "demo",
    messages: [{ role: "user", content }],
    stream: true,
    includeUsage: false,
    hasStreamOptions: false,
    maxTokens,
  };
  return createScript(request, settings, "id");
}

describe("the /sim line", () => {
  test("sets pacing, length and fault; the rest is the prompt", () => {
    expect(splitDirective("/sim ttft_ms=50 tps=20 tokens=40\nTell me a story")).toEqual({
      directive: { ttftMs: 50, tokensPerSecond: 20, tokens: 40 },
      prompt: "Tell me a story",
    });
    expect(splitDirective("/sim fault=stall:3:500\r\nHi").directive).toEqual({
      fault: { kind: "stall", after: 3, ms: 500 },
    });
    expect(splitDirective("/sim tps=0.5").directive).toEqual({ tokensPerSecond: 0.5 });
    expect(splitDirective("/sim").prompt).toBe("");
  });

  test("only at the very start, and only as its own word", () => {
    expect(splitDirective("hello\n/sim tokens=3\n").directive).toEqual({});
    expect(splitDirective("/simulate this").directive).toEqual({});
    expect(splitDirective(" /sim tokens=3").directive).toEqual({});
  });

  test("bad settings are a 400 naming messages", () => {
    for (const line of [
      "/sim tokens=-1",
      "/sim tokens=1.5",
      "/sim tps=0",
      "/sim ttft_ms=x",
      "/sim color=red",
      "/sim tokens",
    ]) {
      expect(() => splitDirective(line)).toThrow(SimulatorRequestError);
    }
  });

  test("faults parse strictly", () => {
    expect(parseFault("status:503")).toEqual({ kind: "status", status: 503 });
    expect(parseFault("drop:0")).toEqual({ kind: "drop", after: 0 });
    expect(parseFault("hang")).toEqual({ kind: "hang" });
    expect(parseFault("malformed:4")).toEqual({ kind: "malformed", after: 4 });
    for (const bad of ["status:200", "status:abc", "drop", "drop:1:2", "hang:1", "stall:3", "explode"]) {
      expect(() => parseFault(bad)).toThrow(SimulatorRequestError);
    }
  });
});

describe("echo pieces", () => {
  test("join back to the text, 1–4 code points each, surrogate pairs whole", () => {
    const text = "😀a😀\r\n\u0000<b>é🇫🇷data: x\n\n";
    const pieces = splitEcho(text);
    expect(pieces.join("")).toBe(text);
    expect(pieces.slice(0, 3)).toEqual(["😀a😀", "\r", "\n\u0000<b"]);
    for (const piece of pieces) expect([...piece].length).toBeLessThanOrEqual(4);
    expect(splitEcho("")).toEqual([]);
  });
});

describe("generated text", () => {
  test("is deterministic and reads like model output", () => {
    const next = createTextTokens(42);
    const again = createTextTokens(42);
    const tokens = Array.from({ length: 300 }, () => next());
    expect(Array.from({ length: 300 }, () => again())).toEqual(tokens);
    expect(tokens[0]).toMatch(/^[A-Z]/);
    expect(tokens).toContain("\n\n");
    expect(tokens).toContain(".");
    expect(tokens.filter((token) => token.startsWith(" ")).length).toBeGreaterThan(200);
    const paragraphs = tokens.join("").split("\n\n");
    for (const paragraph of paragraphs.slice(0, -1)) expect(paragraph).toMatch(/^[A-Z][^\n]*\.$/);
  });

  test("a different seed gives different text", () => {
    const a = createTextTokens(1);
    const b = createTextTokens(2);
    expect(Array.from({ length: 20 }, () => a()).join("")).not.toBe(Array.from({ length: 20 }, () => b()).join(""));
  });
});

describe("script lengths", () => {
  test("tokens, max_tokens and SIM_MAX_TOKENS decide the count and finish reason", () => {
    expect(scriptFor("Hi")).toMatchObject({ tokenCount: 64, finishReason: "stop", ttftMs: 200 });
    expect(scriptFor("/sim tokens=10\nHi")).toMatchObject({ tokenCount: 10, finishReason: "stop" });
    expect(scriptFor("/sim tokens=10\nHi", 4)).toMatchObject({ tokenCount: 4, finishReason: "length" });
    expect(scriptFor("Hi", 100)).toMatchObject({ tokenCount: 64, finishReason: "stop" });
    expect(scriptFor("/echo abcdefghij")).toMatchObject({ tokenCount: 4, finishReason: "stop" });
    expect(scriptFor("/sim tps=20\nHi").intervalMs).toBe(50);
  });

  test("the /sim line does not change the seed", () => {
    const plain = scriptFor("Hi");
    const paced = scriptFor("/sim ttft_ms=1 tps=99\nHi");
    expect(Array.from({ length: 10 }, () => paced.nextToken())).toEqual(
      Array.from({ length: 10 }, () => plain.nextToken()),
    );
  });
});

describe("continuing an answer", () => {
  const played = (script: ReturnType<typeof createScript>) =>
    Array.from({ length: script.tokenCount }, () => script.nextToken()).join("");
  const scriptOf = (messages: { role: string; content: string }[], maxTokens?: number) =>
    createScript(
      { model: "demo", messages, stream: true, includeUsage: false, hasStreamOptions: false, maxTokens },
      settings,
      "id",
    );

  test("after the instruction, or with the partial answer last, it goes on where the answer was cut", () => {
    for (const question of ["/sim tokens=12\nTell me", "/echo a story in twelve pieces of text"]) {
      const asked = { role: "user", content: question };
      const whole = played(scriptOf([asked]));
      const cut = scriptOf([asked], 5);
      expect(cut.finishReason).toBe("length");
      const partial = played(cut);
      const answer = { role: "assistant", content: partial };
      const instructed = scriptOf([asked, answer, { role: "user", content: DEFAULT_CONTINUE_INSTRUCTION }]);
      expect([question, partial + played(instructed)]).toEqual([question, whole]);
      expect(instructed.finishReason).toBe("stop");
      expect(partial + played(scriptOf([asked, answer]))).toBe(whole);
    }
  });

  test("any other last question is a new one, not a continuation", () => {
    const asked = { role: "user", content: "/sim tokens=12\nTell me" };
    const answer = { role: "assistant", content: played(scriptOf([asked], 5)) };
    expect(scriptOf([asked, answer, { role: "user", content: "go on" }]).tokenCount).toBe(settings.maxTokens);
  });
});

describe("cancellation record", () => {
  test(`keeps the last ${CANCELLATION_HISTORY}, oldest first`, () => {
    const counters = new SimulatorCounters();
    const total = CANCELLATION_HISTORY + 5;
    for (let i = 0; i < total; i++) {
      counters.start();
      counters.finish("cancelled", { request_id: `r${i}`, seen_at_ms: i, tokens_sent: 0 });
    }
    const { cancellations, cancelled, active } = counters.snapshot();
    expect({ cancelled, active }).toEqual({ cancelled: total, active: 0 });
    expect(cancellations).toHaveLength(CANCELLATION_HISTORY);
    expect(cancellations[0]?.request_id).toBe("r5");
    expect(cancellations.at(-1)?.request_id).toBe(`r${total - 1}`);
  });
});
