import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI, { APIError } from "openai";
import { metricValue } from "../../harness/client/metrics.ts";
import { internalUrl } from "../../harness/stack/spawn.ts";
import { startTopology, type Topology } from "../../harness/stack/topology.ts";

let stack: Topology;
let gateway: OpenAI;
let direct: OpenAI;
beforeAll(async () => {
  stack = await startTopology();
  gateway = new OpenAI({ baseURL: `${stack.app.url}/v1`, apiKey: "none", maxRetries: 0 });
  direct = new OpenAI({ baseURL: `${stack.simulator.url}/v1`, apiKey: "none", maxRetries: 0 });
});
afterAll(() => stack?.stop());

const messages = [{ role: "user" as const, content: "/sim tokens=9\nthe same request, two ways" }];

async function streamedText(client: OpenAI) {
  const stream = await client.chat.completions.create({
    model: "demo",
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  let usage: OpenAI.CompletionUsage | undefined;
  let finish: string | null | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? "";
    finish = chunk.choices[0]?.finish_reason ?? finish;
    usage = chunk.usage ?? usage;
  }
  return { text, usage, finish };
}

describe("POST /v1/chat/completions (pass-through)", () => {
  test("a stream through Sluice equals the same request straight to the upstream", async () => {
    const tokensBefore = await metricValue(internalUrl(stack.app), "sluice_tokens_total");
    const through = await streamedText(gateway);
    const straight = await streamedText(direct);
    expect(through).toEqual(straight);
    expect(through.finish).toBe("stop");
    expect(through.usage?.completion_tokens).toBe(9);
    expect(await metricValue(internalUrl(stack.app), "sluice_tokens_total")).toBe(tokensBefore + 9);
  });

  test("a non-stream completion passes through", async () => {
    const through = await gateway.chat.completions.create({ model: "demo", messages });
    const straight = await direct.chat.completions.create({ model: "demo", messages });
    expect(through.choices[0]?.message.content).toBe(straight.choices[0]?.message.content ?? "");
    expect(through.usage?.completion_tokens).toBe(9);
  });

  test("an upstream failure comes back as an API error with a stable code", async () => {
    const failing = gateway.chat.completions.create({
      model: "demo",
      messages: [{ role: "user", content: "/sim fault=status:503\nfail" }],
      stream: true,
    });
    const error = await failing.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(502);
    expect((error as APIError).code).toBe("upstream_unavailable");
  });

  test("GET /v1/models lists the upstream's models", async () => {
    const models = await gateway.models.list();
    expect(models.data.map((model) => model.id)).toContain("demo");
  });

  test("a request without messages → 400 naming the field", async () => {
    const response = await fetch(`${stack.app.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "demo" }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error.field).toBe("messages");
  });
});
