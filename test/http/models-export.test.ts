/**
 * Which model wrote each answer, and the exports of a tree, over real sockets on the runtime under
 * test, in front of a capturing upstream: a conversation's chosen model (PATCH) is used when a
 * question names none and recorded with each answer; Markdown exports the branch shown, JSON the
 * whole tree with parents, the current leaf, models and figures.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { conversationCalls } from "../../harness/client/conversations.ts";
import { startFakeModel } from "../../harness/fake-model.ts";
import { type Started, startApp } from "../../harness/stack/spawn.ts";

const model = startFakeModel({
  models: ["small", "large"],
  answer: (body, index) => [`${body.model} says`, ` ${index + 1}`],
});
const sent = model.received as { model: string }[];
let app: Started;
let client: ReturnType<typeof conversationCalls>;

beforeAll(async () => {
  app = await startApp({ HOST: "127.0.0.1", UPSTREAM_BASE_URL: model.baseUrl, MODEL: "small", MODELS: "small,large" });
  client = conversationCalls(app.url);
});
afterAll(async () => {
  await app?.stop();
  model.stop();
});

test("a conversation's model: chosen by PATCH, used when a question names none, recorded with each answer", async () => {
  const id = await client.create();
  expect((await client.read(id)).model).toBeNull();
  await client.turn(id, { content: "Q1", parentId: null });
  expect(sent.at(-1)?.model).toBe("small");
  const chosen = await client.call("PATCH", `/api/conversations/${id}`, { model: "large" });
  expect(chosen.status).toBe(200);
  expect(chosen.json.model).toBe("large");
  const leaf = (await client.read(id)).current_leaf_id;
  const started = await client.turn(id, { content: "Q2", parentId: leaf });
  expect(started.json.model).toBe("large");
  expect(sent.at(-1)?.model).toBe("large");
  // A question that names a model is asked of it; the conversation's choice stays.
  await client.turn(id, { content: "Q3", parentId: (await client.read(id)).current_leaf_id, model: "small" });
  const after = await client.read(id);
  expect(
    after.messages.filter((m: { role: string }) => m.role === "assistant").map((m: { model: string }) => m.model),
  ).toEqual(["small", "large", "small"]);
  expect(after.model).toBe("large");
  const refused = await client.call("PATCH", `/api/conversations/${id}`, { model: "huge" });
  expect(refused.status).toBe(400);
  expect(refused.json.error.field).toBe("model");
  expect((await client.call("PATCH", `/api/conversations/${id}`, { model: null })).json.model).toBeNull();
});

test("Markdown exports the branch shown; JSON the whole tree with parents, the current leaf, models and figures", async () => {
  const id = await client.create();
  await client.turn(id, { content: "Q1", parentId: null });
  const [question, first] = (await client.read(id)).messages;
  await client.turn(id, { regenerate: question.id });
  await client.call("PATCH", `/api/conversations/${id}`, { current_leaf_id: first.id });
  const second = (await client.read(id, `?leaf=${question.id}`)).messages[1];
  expect(second.id).not.toBe(first.id);
  const markdown = await (await client.call("GET", `/api/conversations/${id}/export?format=md`)).text;
  expect(markdown).toContain(`## Assistant\n\n${first.content}\n\n_Model: small._`);
  expect(markdown).not.toContain(second.content);
  const response = await fetch(`${app.url}/api/conversations/${id}/export?format=json`);
  expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
  const tree = await response.json();
  expect(tree).toMatchObject({ id, current_leaf_id: first.id, model: null });
  expect(tree.running_stream_id).toBeUndefined();
  expect(tree.messages.map((m: { id: string; parent_id: string | null }) => [m.id, m.parent_id])).toEqual([
    [question.id, null],
    [first.id, question.id],
    [second.id, question.id],
  ]);
  expect(tree.messages[2]).toMatchObject({ model: "small", figures: { completion_tokens: 2, finish_reason: "stop" } });
});
