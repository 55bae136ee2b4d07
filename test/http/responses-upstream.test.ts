/**
 * RESPONSES_UPSTREAM=responses: `/v1/responses` passed through to a model server that speaks the
 * Responses API natively (the harness's fake model), still as a generation: streamed, resumable,
 * stored. The model server is asked with `store: false` (Sluice keeps the state) and the input as
 * Responses input messages; chat completions are never called.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import { type FakeModel, startFakeModel } from "../../harness/fake-model.ts";
import { type Started, startApp } from "../../harness/stack/spawn.ts";

let model: FakeModel;
let app: Started;
let client: OpenAI;
beforeAll(async () => {
  model = startFakeModel({ models: ["native"], tokens: ["Natively", " spoken", "."] });
  app = await startApp({ UPSTREAM_BASE_URL: model.baseUrl, MODEL: "native", RESPONSES_UPSTREAM: "responses" });
  client = new OpenAI({ baseURL: `${app.url}/v1`, apiKey: "none", maxRetries: 0 });
});
afterAll(async () => {
  await app?.stop();
  model?.stop();
});

test("a streamed response comes from the model server's own Responses API", async () => {
  const stream = await client.responses.create({
    model: "native",
    instructions: "Answer briefly.",
    input: "Say something",
    stream: true,
    background: true,
  });
  let text = "";
  let last: string | undefined;
  for await (const event of stream) {
    if (event.type === "response.output_text.delta") text += event.delta;
    last = event.type;
  }
  expect(text).toBe("Natively spoken.");
  expect(last).toBe("response.completed");
  expect(model.paths).toEqual(["/v1/responses"]);
  expect(model.received[0]).toMatchObject({
    model: "native",
    store: false,
    stream: true,
    input: [
      { role: "system", content: "Answer briefly." },
      { role: "user", content: "Say something" },
    ],
  });
});

test("stored and continued with previous_response_id, as with chat completions", async () => {
  const first = await client.responses.create({ model: "native", input: "First" });
  const second = await client.responses.create({ model: "native", input: "Second", previous_response_id: first.id });
  expect(second.output_text).toBe("Natively spoken.");
  expect(second.usage?.output_tokens).toBe(3);
  expect(model.received.at(-1)?.input).toEqual([
    { role: "user", content: "First" },
    { role: "assistant", content: "Natively spoken." },
    { role: "user", content: "Second" },
  ]);
  expect(model.paths.every((path) => path === "/v1/responses")).toBe(true);
});

test("a stored image goes to the model server again with the next response, as its data: URL", async () => {
  // A 1×1 PNG: checked by its bytes on the way in, stored, then read back as bytes for the next call.
  const png =
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
  const first = await client.responses.create({
    model: "native",
    input: [
      {
        role: "user",
        content: [
          { type: "input_text", text: "What is this?" },
          { type: "input_image", image_url: png, detail: "auto" },
        ],
      },
    ],
  });
  await client.responses.create({ model: "native", input: "And now?", previous_response_id: first.id });
  const [question] = (model.received.at(-1)?.input ?? []) as { content: Record<string, unknown>[] }[];
  expect(question?.content).toEqual([
    { type: "input_text", text: "What is this?" },
    { type: "input_image", image_url: png, detail: "auto" },
  ]);
});
