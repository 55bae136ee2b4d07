import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startChat } from "../../harness/client/chat.ts";
import { metricValue } from "../../harness/client/metrics.ts";
import { readStream } from "../../harness/client/stream.ts";
import { internalUrl, startApp } from "../../harness/stack/spawn.ts";
import { startTopology, type Topology } from "../../harness/stack/topology.ts";

let stack: Topology;
beforeAll(async () => {
  stack = await startTopology({
    UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: "1500",
    UPSTREAM_INTER_TOKEN_TIMEOUT_MS: "1500",
    MAX_BODY_BYTES: "2048",
    MAX_ACTIVE_GENERATIONS: "20",
  });
});
afterAll(() => stack?.stop());

async function errorEventOf(content: string) {
  const read = await readStream((await startChat(stack.app.url, content)).url, { timeoutMs: 10_000 });
  expect(read.ended).toBe("eof");
  const last = read.events.at(-1);
  expect(last?.event).toBe("error");
  // An error ends the stream: nothing, and no `done`, after it.
  expect(read.events.filter((event) => event.event === "done")).toHaveLength(0);
  return JSON.parse(last?.data ?? "{}") as { code: string; message: string; retryable: boolean };
}

describe("upstream failures become typed error events", () => {
  const cases: [string, string, boolean][] = [
    ["fault=status:503", "upstream_unavailable", true],
    ["fault=status:500", "upstream_unavailable", true],
    ["fault=status:401", "upstream_unauthorized", false],
    ["fault=status:403", "upstream_unauthorized", false],
    ["fault=status:429", "upstream_rate_limited", true],
    ["fault=status:400", "upstream_rejected", false],
    ["fault=drop:3", "upstream_unavailable", true],
    ["fault=malformed:2", "upstream_bad_response", false],
    ["fault=hang", "upstream_timeout", true],
    ["tokens=6 fault=stall:2:4000", "upstream_timeout", true],
  ];
  for (const [directive, code, retryable] of cases) {
    test(`${directive} → ${code}`, async () => {
      const before = await metricValue(internalUrl(stack.app), `sluice_upstream_errors_total{code="${code}"}`);
      const error = await errorEventOf(`/sim ${directive}\nhello`);
      expect(error).toMatchObject({ code, retryable });
      expect(error.message.length).toBeGreaterThan(0);
      expect(await metricValue(internalUrl(stack.app), `sluice_upstream_errors_total{code="${code}"}`)).toBe(
        before + 1,
      );
    });
  }

  test("an unreachable upstream → upstream_unavailable", async () => {
    const app = await startApp({ UPSTREAM_BASE_URL: "http://127.0.0.1:9/v1", MODEL: "demo" });
    try {
      const read = await readStream((await startChat(app.url, "hello")).url);
      expect(read.events.at(-1)?.event).toBe("error");
      expect(JSON.parse(read.events.at(-1)?.data ?? "{}").code).toBe("upstream_unavailable");
    } finally {
      await app.stop();
    }
  });
});

describe("bad input gets a clear error naming the field", () => {
  const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
    fetch(`${stack.app.url}/api/chat`, { method: "POST", headers, body });
  const cases: [string, string][] = [
    ["{not json", "body"],
    ['{"messages":[]}', "messages"],
    ["{}", "messages"],
    ['{"messages":[{"role":"robot","content":"hi"}]}', "messages[0].role"],
    ['{"messages":[{"role":"user","content":""}]}', "messages[0].content"],
    ['{"messages":[{"role":"user","content":"hi"}],"max_tokens":0}', "max_tokens"],
    ['{"messages":[{"role":"user","content":"hi"}],"temperature":"hot"}', "temperature"],
  ];
  for (const [body, field] of cases) {
    test(`${body} → 400 naming ${field}`, async () => {
      const response = await post(body);
      expect(response.status).toBe(400);
      const error = (await response.json()).error;
      expect(error.code).toBe("invalid_request");
      expect(error.field).toBe(field);
      expect(error.message).toContain(field);
    });
  }

  test("a body over the limit → 413 JSON, with or without Content-Length", async () => {
    const big = JSON.stringify({ messages: [{ role: "user", content: "x".repeat(4096) }] });
    const declared = await post(big);
    expect(declared.status).toBe(413);
    expect((await declared.json()).error.code).toBe("body_too_large");
    const chunked = await fetch(`${stack.app.url}/api/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new Blob([big]).stream(),
    });
    expect(chunked.status).toBe(413);
  });

  test("a body that is not JSON → 415", async () => {
    const response = await post("hello", { "content-type": "text/plain" });
    expect(response.status).toBe(415);
  });

  test("past the generation limit → 429 JSON with Retry-After, and nothing is lost", async () => {
    const hanging = await Promise.all(
      Array.from({ length: 20 }, () =>
        post(JSON.stringify({ messages: [{ role: "user", content: "/sim fault=hang\nwait" }] })),
      ),
    );
    expect(hanging.every((response) => response.status === 202)).toBe(true);
    const refused = await post(JSON.stringify({ messages: [{ role: "user", content: "one more" }] }));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect((await refused.json()).error).toMatchObject({ code: "too_many_streams" });
    for (const response of hanging) {
      const { streamUrl } = (await response.json()) as { streamUrl: string };
      await fetch(`${stack.app.url}${streamUrl}`, { method: "DELETE" });
    }
    expect((await post(JSON.stringify({ messages: [{ role: "user", content: "now" }] }))).status).toBe(202);
  });
});
