/**
 * The toolbox against the test tool server, over real sockets: the tools offered (only those the
 * operator exposes, named `<server>__<tool>`), each kind of outcome with its stable code, a result
 * cut to its budget, a timeout and a Stop that the server sees as a cancellation, headers from the
 * servers file, and a server that is down left out without failing the answer.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "../../harness/client/poll.ts";
import { startToolServer, type ToolServer } from "../../harness/tool-server.ts";
import { Toolbox } from "../../src/tools/toolbox.ts";

let server: ToolServer;
let keyed: ToolServer;
beforeAll(() => {
  server = startToolServer();
  keyed = startToolServer({ requiredHeaders: { authorization: "Bearer s3cret-key" } });
});
afterAll(async () => {
  await server?.stop();
  await keyed?.stop();
});

const settings = { timeoutMs: 1_000, resultMaxBytes: 1_000 };
const live = () => new AbortController().signal;
const call = (name: string, args: unknown = {}) => ({ name, arguments: JSON.stringify(args), generation: "g" });

describe("the toolbox", () => {
  test("offers the exposed tools as OpenAI functions, named after their server", async () => {
    const box = new Toolbox(
      [
        { name: "all", url: server.url, headers: {}, tools: "*" },
        { name: "some", url: server.url, headers: {}, tools: ["fast"] },
      ],
      settings,
    );
    const offered = await box.offer(live());
    expect(offered.tools.map((tool) => tool.function.name).sort()).toEqual([
      "all__fail",
      "all__fast",
      "all__large",
      "all__slow",
      "some__fast",
    ]);
    const fast = offered.tools.find((tool) => tool.function.name === "some__fast");
    expect(fast?.function.parameters).toMatchObject({ type: "object", properties: { text: { type: "string" } } });
    await box.close();
  });

  test("each outcome: a result, the tool's own error, a cut result, bad arguments, an unknown tool", async () => {
    const box = new Toolbox([{ name: "t", url: server.url, headers: {}, tools: "*" }], settings);
    const offered = await box.offer(live());
    expect(await box.call(offered, call("t__fast", { text: "<b>hi</b>" }), live())).toEqual({
      content: "echo: <b>hi</b>",
    });
    expect(await box.call(offered, call("t__fail", { message: "no disk" }), live())).toEqual({
      content: "no disk",
      error: { code: "tool_failed", message: "no disk" },
    });
    const large = await box.call(offered, call("t__large", { bytes: 5_000 }), live());
    expect(large.content.length).toBe(1_000);
    expect(large.full_bytes).toBe(5_000);
    const bad = await box.call(offered, { name: "t__fast", arguments: "[1", generation: "g" }, live());
    expect(bad.error?.code).toBe("tool_arguments_invalid");
    expect((await box.call(offered, call("t__nope"), live())).error?.code).toBe("tool_unknown");
    await box.close();
  });

  test("a call past TOOL_TIMEOUT_MS, and a call stopped, are cancelled on the server", async () => {
    const box = new Toolbox([{ name: "t", url: server.url, headers: {}, tools: "*" }], { ...settings, timeoutMs: 300 });
    const offered = await box.offer(live());
    const before = server.calls.length;
    const timedOut = await box.call(offered, call("t__slow", { ms: 5_000 }), live());
    expect(timedOut.error?.code).toBe("tool_timeout");
    expect(await eventually(async () => server.calls[before]?.cancelled === true, 2_000)).toBe(true);

    const stop = new AbortController();
    const running = box.call(offered, call("t__slow", { ms: 5_000 }), stop.signal);
    await eventually(async () => server.calls.length === before + 2, 2_000);
    stop.abort("stop");
    await running;
    expect(await eventually(async () => server.calls[before + 1]?.cancelled === true, 2_000)).toBe(true);
    await box.close();
  });

  test("headers reach the server; a server that cannot be reached is left out", async () => {
    const withKey = { name: "k", url: keyed.url, headers: { authorization: "Bearer s3cret-key" }, tools: "*" as const };
    const box = new Toolbox(
      [withKey, { name: "gone", url: "http://127.0.0.1:9/mcp", headers: {}, tools: "*" }],
      settings,
    );
    const offered = await box.offer(live());
    expect(offered.tools.map((tool) => tool.function.name)).toContain("k__fast");
    expect(offered.tools.some((tool) => tool.function.name.startsWith("gone__"))).toBe(false);
    await box.close();
    // The negative control: without the header, the same server refuses, and its tools are left out.
    const refusedBefore = keyed.refused();
    const bare = new Toolbox([{ ...withKey, headers: {} }], settings);
    expect((await bare.offer(live())).tools).toEqual([]);
    expect(keyed.refused()).toBeGreaterThan(refusedBefore);
    await bare.close();
  });
});
