/**
 * The pieces of tool answers that need no socket: steps in the event log beside tokens, their
 * SSE frames, the usage of several model calls, the MCP servers file, and the arguments as the
 * log shows them.
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { ConfigError } from "../../src/env-values.ts";
import { EventLog } from "../../src/generation/event-log.ts";
import { UsageTally } from "../../src/generation/usage-tally.ts";
import { registerSecret } from "../../src/log.ts";
import { parseMcpServers } from "../../src/mcp-servers-file.ts";
import { apiDialect, classicDialect } from "../../src/sse/dialects.ts";
import { argumentsForLog } from "../../src/tools/call-log.ts";

describe("steps in the event log", () => {
  test("are numbered with the tokens, left out of the text, and assembled into calls at their place", () => {
    const log = new EventLog();
    log.appendToken("Let me ");
    log.appendStep({ type: "tool_call", call_id: "c1", name: "t__fast" });
    log.appendStep({ type: "tool_arguments", call_id: "c1", delta: '{"a":' });
    log.appendStep({ type: "tool_arguments", call_id: "c1", delta: "1}" });
    log.appendStep({ type: "tool_call", call_id: "c2", name: "t__slow" });
    log.appendStep({ type: "tool_result", call_id: "c1", content: "ok" });
    log.appendToken("see.");
    log.close({
      id: 8,
      type: "done",
      finish_reason: "cancelled",
      usage: { prompt_tokens: 0, completion_tokens: 2, total_tokens: 2 },
      timings: { ttft_ms: null, total_ms: 1 },
    });
    expect(log.text()).toBe("Let me see.");
    expect(log.tokenCount).toBe(2);
    expect(log.length).toBe(8);
    expect(log.tokenText(1)).toBeUndefined();
    expect(log.at(1)).toEqual({ id: 2, type: "tool_call", call_id: "c1", name: "t__fast" });
    expect(log.at(5)).toEqual({ id: 6, type: "tool_result", call_id: "c1", content: "ok" });
    // The text, the names, the arguments and the result, as they travel.
    expect(log.bytes).toBe(["Let me see.", "t__fast", '{"a":', "1}", "t__slow", "ok"].join("").length);
    expect(log.toolSteps()).toEqual([
      { call_id: "c1", name: "t__fast", arguments: '{"a":1}', status: "ok", result: "ok", offset: 7 },
      { call_id: "c2", name: "t__slow", arguments: "", status: "cancelled", result: "", offset: 7 },
    ]);
  });

  test("a failed call keeps its failure", () => {
    const log = new EventLog();
    log.appendStep({ type: "tool_call", call_id: "c", name: "t__fail" });
    const error = { code: "tool_failed", message: "no" };
    log.appendStep({ type: "tool_result", call_id: "c", content: "no", error, full_bytes: 9 });
    expect(log.toolSteps()[0]).toMatchObject({ status: "error", error, full_bytes: 9 });
  });
});

describe("a step's SSE frame", () => {
  test("names its type and carries its id, its payload as JSON on one data line", () => {
    const event = { id: 7, type: "tool_result" as const, call_id: "c1", content: "line one\nline <two>" };
    expect(apiDialect.step(event)).toBe(
      'event: tool_result\nid: 7\ndata: {"call_id":"c1","content":"line one\\nline <two>"}\n\n',
    );
    expect(classicDialect("gen").step({ id: 3, type: "tool_call", call_id: "c", name: "t" })).toBe(
      'event: tool_call\nid: gen.3\ndata: {"call_id":"c","name":"t"}\n\n',
    );
  });
});

describe("an answer's usage", () => {
  test("is the sum of its model calls, plus the tokens of a call cut off before it reported (estimated)", () => {
    const tally = new UsageTally();
    expect(tally.total(3, 7)).toEqual({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10, estimated: true });
    tally.callEnded({ prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 }, 0);
    tally.callEnded({ prompt_tokens: 20, completion_tokens: 5, total_tokens: 25 }, 5);
    expect(tally.total(5)).toEqual({ prompt_tokens: 30, completion_tokens: 9, total_tokens: 39 });
    expect(tally.total(8)).toEqual({ prompt_tokens: 30, completion_tokens: 12, total_tokens: 42, estimated: true });
  });
});

describe("MCP_SERVERS_FILE", () => {
  const entry = { name: "files", url: "http://files:8080/mcp", tools: ["read"] };
  const parse = (servers: unknown) => parseMcpServers(JSON.stringify({ servers }));
  const refusal = (servers: unknown) => {
    try {
      parse(servers);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error("accepted");
  };

  test("declares servers, their tools, and headers whose values may come from files", () => {
    const secret = `${tmpdir()}/sluice-mcp-secret-${crypto.randomUUID()}`;
    writeFileSync(secret, "Bearer from-a-file\n");
    const headers = { "X-Team": "chat", Authorization_FILE: secret };
    expect(
      parse([
        { ...entry, headers },
        { name: "web", url: "https://w/mcp", tools: "*" },
      ]),
    ).toEqual([
      { ...entry, headers: { "X-Team": "chat", Authorization: "Bearer from-a-file" } },
      { name: "web", url: "https://w/mcp", headers: {}, tools: "*" },
    ]);
  });

  test("refuses what it cannot use, naming the entry", () => {
    expect(() => parseMcpServers("{")).toThrow(/MCP_SERVERS_FILE: the file: is not JSON/);
    expect(refusal([{ ...entry, name: "a__b" }])).toContain("servers[0].name");
    expect(refusal([entry, entry])).toContain("servers[1].name");
    expect(refusal([{ ...entry, url: "file:///etc/passwd" }])).toContain("servers[0].url");
    expect(refusal([{ ...entry, tools: [] }])).toContain("servers[0].tools");
    expect(refusal([{ ...entry, token: "x" }])).toContain("servers[0].token: unknown field");
    expect(refusal([{ ...entry, headers: { "Bad Name": "x" } }])).toContain("servers[0].headers");
    expect(refusal([{ ...entry, headers: { X: "a\r\nInjected: b" } }])).toContain("line break");
    expect(refusal([{ ...entry, headers: { A_FILE: "/no/such/file" } }])).toContain("cannot read");
  });
});

describe("a tool call's arguments in the log", () => {
  test("mask fields named as credentials and every known secret, and keep the rest", () => {
    registerSecret("hunter2-known-secret");
    const logged = argumentsForLog(
      JSON.stringify({
        query: "weather",
        api_key: "k-123",
        nested: { password: "p" },
        note: "use hunter2-known-secret",
      }),
    );
    expect(JSON.parse(logged)).toEqual({
      query: "weather",
      api_key: "(masked)",
      nested: { password: "(masked)" },
      note: "use …(masked)",
    });
    expect(argumentsForLog("not json, sk-abcdefghijkl")).toBe("not json, …(masked)");
  });
});
