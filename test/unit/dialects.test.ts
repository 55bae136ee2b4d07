/**
 * The two client dialects' framing, as exact bytes, and the Responses API's resume arithmetic:
 * where a `starting_after` lands in the opening events, the deltas and the closing events.
 */
import { describe, expect, test } from "bun:test";
import type { DoneEvent, EndEvent } from "../../src/contract.ts";
import { EventLog } from "../../src/generation/event-log.ts";
import { responsesDialect, responsesResume } from "../../src/sse/responses-dialect.ts";
import { plainRecord } from "../../src/sse/responses-events.ts";
import { textOpenAfter, uiMessageDialect } from "../../src/sse/ui-message-dialect.ts";

const usage = { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 };
const done = (id: number, finish_reason: DoneEvent["finish_reason"] = "stop"): DoneEvent => ({
  id,
  type: "done",
  finish_reason,
  usage,
  timings: { ttft_ms: 5, total_ms: 2_000 },
});

function logOf(tokens: string[], end?: EndEvent): EventLog {
  const log = new EventLog();
  for (const token of tokens) log.appendToken(token);
  if (end) log.close(end);
  return log;
}

const record = plainRecord({ id: "resp_abc", created_at: 1_000, model: "demo", background: true });

/** The sequence numbers (SSE ids) in `frames`. */
const ids = (frames: string) => [...frames.matchAll(/^id: (\d+)$/gm)].map((match) => Number(match[1]));

describe("the Responses dialect", () => {
  const ended = logOf(["a", "b", "c"], done(4));

  test("starting_after lands in the opening events, the deltas, or the closing events", () => {
    expect(responsesResume(ended, undefined)).toEqual({ after: 0, openingSeen: 0, closingSeen: 0 });
    expect(responsesResume(ended, 1)).toEqual({ after: 0, openingSeen: 2, closingSeen: 0 });
    expect(responsesResume(ended, 3)).toEqual({ after: 0, openingSeen: 4, closingSeen: 0 });
    expect(responsesResume(ended, 5)).toEqual({ after: 2, openingSeen: 4, closingSeen: 0 });
    expect(responsesResume(ended, 6)).toEqual({ after: 3, openingSeen: 4, closingSeen: 0 });
    expect(responsesResume(ended, 8)).toEqual({ after: 3, openingSeen: 4, closingSeen: 2 });
    // Every event seen: nothing but the stream's end is left.
    expect(responsesResume(ended, 10)).toEqual({ after: 4, openingSeen: 4, closingSeen: 4 });
    expect(responsesResume(ended, 11)).toBeUndefined();
    // A running response cannot be resumed past the tokens it has.
    expect(responsesResume(logOf(["a", "b", "c"]), 7)).toBeUndefined();
  });

  test("each viewer gets exactly the events after its starting point, numbered as the first viewer saw them", () => {
    const whole = responsesDialect(record, ended, { after: 0, openingSeen: 0, closingSeen: 0 });
    const all = `${whole.head}${["a", "b", "c"].map((text, index) => whole.token(index, text)).join("")}${whole.end(done(4))}`;
    expect(ids(all)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const resumed = responsesDialect(record, ended, { after: 3, openingSeen: 4, closingSeen: 2 });
    expect(resumed.head).toBe("");
    expect(ids(resumed.end(done(4)))).toEqual([9, 10]);
  });

  test("a delta's bytes: its event, its number as the id, one data line whatever the text", () => {
    const dialect = responsesDialect(record, ended, { after: 0, openingSeen: 4, closingSeen: 0 });
    expect(dialect.token(1, "x\ny")).toBe(
      'event: response.output_text.delta\nid: 5\ndata: {"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_abc","output_index":0,"content_index":0,"delta":"x\\ny","logprobs":[]}\n\n',
    );
  });

  test("the end names the status: completed, incomplete at the output limit, cancelled, failed", () => {
    const endOf = (end: EndEvent) => {
      const frames = responsesDialect(record, ended, { after: 0, openingSeen: 4, closingSeen: 3 }).end(end);
      return JSON.parse(frames.split("data: ")[1] as string);
    };
    expect(endOf(done(4))).toMatchObject({ type: "response.completed", response: { status: "completed" } });
    expect(endOf(done(4, "length"))).toMatchObject({
      type: "response.incomplete",
      response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } },
    });
    expect(endOf(done(4, "cancelled"))).toMatchObject({
      type: "response.incomplete",
      response: { status: "cancelled" },
    });
    const failed = endOf({ id: 4, type: "error", code: "upstream_timeout", message: "late", retryable: true });
    expect(failed).toMatchObject({
      type: "response.failed",
      response: { status: "failed", error: { code: "upstream_timeout" } },
    });
    expect(endOf(done(4)).response.output[0].content[0].text).toBe("abc");
  });
});

describe("the UI message stream dialect", () => {
  test("the exact bytes of a whole message: parts in data lines, Sluice's ids in id lines only", () => {
    const dialect = uiMessageDialect("m1", true);
    const frames = `${dialect.head}${dialect.token(0, "Hi")}${dialect.token(1, " there")}${dialect.end(done(3))}`;
    expect(frames).toBe(
      [
        'data: {"type":"start","messageId":"m1"}\n\n',
        'data: {"type":"text-start","id":"text-1"}\n\n',
        'id: 1\ndata: {"type":"text-delta","id":"text-1","delta":"Hi"}\n\n',
        'id: 2\ndata: {"type":"text-delta","id":"text-1","delta":" there"}\n\n',
        'data: {"type":"text-end","id":"text-1"}\n\n',
        'data: {"type":"finish","finishReason":"stop"}\n\n',
        "id: 3\ndata: [DONE]\n\n",
      ].join(""),
    );
  });

  test("a viewer resuming after an id gets no opening parts; Stop and a failure end the message", () => {
    expect(uiMessageDialect("m1", false).head).toBe("");
    expect(uiMessageDialect("m1", true).end(done(2, "cancelled"))).toContain(
      'data: {"type":"abort","reason":"stopped"}',
    );
    const failed = uiMessageDialect("m1", true).end({
      id: 2,
      type: "error",
      code: "upstream_unavailable",
      message: "down",
      retryable: true,
    });
    expect(failed).toContain('data: {"type":"error","errorText":"upstream_unavailable: down"}');
    expect(failed.endsWith("id: 2\ndata: [DONE]\n\n")).toBe(true);
  });

  test("a tool call: the text before it ends, its parts, the text after it in a part of its own", () => {
    const dialect = uiMessageDialect("m1", true);
    const call = { toolCallId: "c1", dynamic: true, providerExecuted: true };
    const frames = [
      dialect.head,
      dialect.token(0, "Let me look."),
      dialect.step({ id: 2, type: "tool_call", call_id: "c1", name: "tests__fast" }),
      dialect.step({ id: 3, type: "tool_arguments", call_id: "c1", delta: '{"a":1}' }),
      dialect.step({ id: 4, type: "tool_result", call_id: "c1", content: "found" }),
      dialect.token(4, "Found."),
      dialect.end(done(6)),
    ].join("");
    const parts = frames
      .split("\n\n")
      .filter((frame) => frame !== "")
      .map((frame) => frame.split("data: ")[1] as string);
    expect(parts.map((data) => (data === "[DONE]" ? data : JSON.parse(data)))).toEqual([
      { type: "start", messageId: "m1" },
      { type: "text-start", id: "text-1" },
      { type: "text-delta", id: "text-1", delta: "Let me look." },
      { type: "text-end", id: "text-1" },
      { type: "tool-input-start", ...call, toolName: "tests__fast" },
      { type: "tool-input-delta", toolCallId: "c1", inputTextDelta: '{"a":1}' },
      { type: "tool-output-available", ...call, output: "found" },
      { type: "text-start", id: "text-1" },
      { type: "text-delta", id: "text-1", delta: "Found." },
      { type: "text-end", id: "text-1" },
      { type: "finish", finishReason: "stop" },
      "[DONE]",
    ]);
  });

  test("a viewer resuming inside a tool step has no text part open; after a token it has one", () => {
    const log = new EventLog();
    log.appendToken("a");
    log.appendStep({ type: "tool_call", call_id: "c1", name: "t" });
    log.appendStep({ type: "tool_result", call_id: "c1", content: "r" });
    log.appendToken("b");
    expect([0, 1, 2, 3, 4].map((after) => textOpenAfter(log, after))).toEqual([false, true, false, false, true]);
    // Resumed after the result: the next token opens a text part; a failed call is an output error.
    const resumed = uiMessageDialect("m1", false, textOpenAfter(log, 3));
    expect(resumed.token(3, "b")).toStartWith('data: {"type":"text-start","id":"text-1"}\n\n');
    const failed = resumed.step({
      id: 6,
      type: "tool_result",
      call_id: "c2",
      content: "",
      error: { code: "tool_timeout", message: "too slow" },
    });
    expect(failed).toContain('"type":"tool-output-error"');
    expect(failed).toContain('"errorText":"tool_timeout: too slow"');
  });
});
