/**
 * Custom instructions, kept answer figures and images, end to end over real sockets: the app (on
 * the runtime under test) in front of the harness's fake model, which records every request body,
 * so the test sees exactly what the model was sent.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { callJson, request } from "../../harness/client/api.ts";
import { answerStored, askAfter, createConversation } from "../../harness/client/conversations.ts";
import { startFakeModel } from "../../harness/fake-model.ts";
import { type Started, startApp } from "../../harness/stack/spawn.ts";

const TOKENS = { alice: "alice-token-0123456789", bob: "bob-token-0123456789ab" };
const model = startFakeModel({ models: ["vision"] });
const sent = model.received as { messages: { role: string; content: unknown }[] }[];

let app: Started;
beforeAll(async () => {
  app = await startApp({
    HOST: "127.0.0.1",
    UPSTREAM_BASE_URL: model.baseUrl,
    MODEL: "vision",
    SYSTEM_PROMPT: "Server default.",
    AUTH: "token",
    AUTH_TOKENS: `alice:${TOKENS.alice},bob:${TOKENS.bob}`,
    IMAGE_MAX_BYTES: "1000000",
    CONTEXT_MAX_IMAGES: "2",
  });
});
afterAll(async () => {
  await app?.stop();
  model.stop();
});

type User = keyof typeof TOKENS;

const call = (method: string, path: string, body?: unknown, user: User = "alice") =>
  callJson(app.url, method, path, body, { token: TOKENS[user], timeoutMs: 20_000 });

const asAlice = { token: TOKENS.alice };
const conversation = () => createConversation(app.url, asAlice);
const thread = async (id: string) => (await call("GET", `/api/conversations/${id}`)).json;

/** Asks in `id` after its last message and waits until the answer is stored. */
async function ask(id: string, content: unknown) {
  const parentId = (await thread(id)).messages.at(-1)?.id ?? null;
  return askAfter(app.url, id, content, parentId, asAlice);
}

function png(size: number, fill = 1): Uint8Array {
  const bytes = new Uint8Array(size).fill(fill);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return bytes;
}
const dataUrl = (bytes: Uint8Array, type = "image/png") =>
  `data:${type};base64,${Buffer.from(bytes).toString("base64")}`;
const imagePart = (url: string) => ({ type: "image_url", image_url: { url } });

test("custom instructions: PATCH stores them, GET returns them, the model gets them; null restores the default", async () => {
  const id = await conversation();
  expect((await thread(id)).system_prompt).toBeNull();
  const patched = await call("PATCH", `/api/conversations/${id}`, { system_prompt: "  Talk like a pirate.  " });
  expect(patched.status).toBe(200);
  expect(patched.json).toMatchObject({ id, system_prompt: "Talk like a pirate." });
  expect(patched.json.messages).toBeUndefined();
  expect((await thread(id)).system_prompt).toBe("Talk like a pirate.");
  await ask(id, "hello");
  expect(sent.at(-1)?.messages[0]).toEqual({ role: "system", content: "Talk like a pirate." });
  // Negative control: back to null, the server's SYSTEM_PROMPT is sent again.
  expect((await call("PATCH", `/api/conversations/${id}`, { system_prompt: null })).json.system_prompt).toBeNull();
  await ask(id, "again");
  expect(sent.at(-1)?.messages[0]).toEqual({ role: "system", content: "Server default." });
  // Another user can neither read nor set them.
  expect((await call("PATCH", `/api/conversations/${id}`, { system_prompt: "x" }, "bob")).status).toBe(404);
});

test("custom instructions are checked: at most 8000 characters, a string or null, and PATCH needs a field", async () => {
  const id = await conversation();
  const long = await call("PATCH", `/api/conversations/${id}`, { system_prompt: "x".repeat(8_001) });
  expect(long.status).toBe(400);
  expect(long.json.error).toMatchObject({ code: "invalid_request", field: "system_prompt" });
  const wrong = await call("PATCH", `/api/conversations/${id}`, { system_prompt: 5 });
  expect(wrong.json.error.field).toBe("system_prompt");
  expect((await call("PATCH", `/api/conversations/${id}`, {})).status).toBe(400);
  expect((await call("PATCH", `/api/conversations/${id}`, { system_prompt: "x".repeat(8_000) })).status).toBe(200);
});

test("an answer's figures are stored from its done event and returned with the conversation", async () => {
  const id = await conversation();
  await ask(id, "count");
  const answer = (await thread(id)).messages.at(-1);
  expect(answer.figures).toMatchObject({ completion_tokens: 3, finish_reason: "stop" });
  expect(answer.figures.ttft_ms).toBeGreaterThanOrEqual(0);
  expect(answer.figures.total_ms).toBeGreaterThanOrEqual(answer.figures.ttft_ms);
  expect((await thread(id)).messages[0].figures).toBeUndefined();
});

test("images: sent to the model as content parts, stored, served to the owner only, and sent again later", async () => {
  const id = await conversation();
  // Larger than MAX_BODY_BYTES (1 MiB) once in base64: /api/chat alone takes what its caps need.
  const big = png(990_000, 3);
  const small = png(2_000, 4);
  const started = await ask(id, [{ type: "text", text: "What is this?" }, imagePart(dataUrl(big))]);
  expect(started.status).toBe(202);
  expect(sent.at(-1)?.messages.at(-1)).toEqual({
    role: "user",
    content: [
      { type: "text", text: "What is this?" },
      { type: "image_url", image_url: { url: dataUrl(big) } },
    ],
  });
  const [question] = (await thread(id)).messages;
  expect(question.content).toBe("What is this?");
  expect(question.images).toHaveLength(1);
  const imageUrl = `/api/conversations/${id}/images/${question.images[0].id}`;
  const served = await request(`${app.url}${imageUrl}`, {}, { token: TOKENS.alice });
  expect(served.status).toBe(200);
  expect(served.headers.get("content-type")).toBe("image/png");
  expect(served.headers.get("x-content-type-options")).toBe("nosniff");
  expect(Buffer.from(await served.arrayBuffer()).equals(Buffer.from(big))).toBe(true);
  const stranger = await call("GET", imageUrl, undefined, "bob");
  expect(stranger.status).toBe(404);
  expect(stranger.json.error.code).toBe("not_found");
  // A later turn sends the stored image again (CONTEXT_MAX_IMAGES=2: newest questions first).
  await ask(id, [{ type: "text", text: "and this?" }, imagePart(dataUrl(small))]);
  await ask(id, "compare them");
  const last = sent.at(-1)?.messages ?? [];
  const images = last.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((p) => p.type === "image_url");
  expect(images.map((p) => p.image_url.url)).toEqual([dataUrl(big), dataUrl(small)]);
  await ask(id, [{ type: "text", text: "a third" }, imagePart(dataUrl(png(100, 5)))]);
  await ask(id, "now?");
  const capped = (sent.at(-1)?.messages ?? []).flatMap((m) => (Array.isArray(m.content) ? m.content : []));
  // Only the two newest images fit; the oldest question goes as text alone.
  expect(capped.filter((p) => p.type === "image_url").map((p) => p.image_url.url)).toEqual([
    dataUrl(small),
    dataUrl(png(100, 5)),
  ]);
  expect(sent.at(-1)?.messages.find((m) => m.content === "What is this?")).toBeDefined();
}, 60_000);

test("images are checked before anything is stored: count, size, type by magic bytes, data: URLs only", async () => {
  const id = await conversation();
  const text = { type: "text", text: "look" };
  const refuse = async (content: unknown[], status: number, code: string, field: string) => {
    const answer = await call("POST", "/api/chat", { conversationId: id, content, parentId: null });
    expect(answer.status).toBe(status);
    expect(answer.json.error).toMatchObject({ code, field });
  };
  const ok = dataUrl(png(100));
  const five = [text, ...Array.from({ length: 5 }, () => imagePart(ok))];
  await refuse(five, 400, "invalid_request", "content");
  await refuse([text, imagePart(dataUrl(png(1_000_001)))], 413, "image_too_large", "content[1].image_url.url");
  await refuse([text, imagePart(dataUrl(png(100), "image/jpeg"))], 400, "invalid_request", "content[1].image_url.url");
  const html = new TextEncoder().encode("<script>alert(1)</script>");
  await refuse([text, imagePart(dataUrl(html))], 400, "invalid_request", "content[1].image_url.url");
  await refuse(
    [text, imagePart(dataUrl(png(100), "image/svg+xml"))],
    400,
    "invalid_request",
    "content[1].image_url.url",
  );
  await refuse(
    [text, imagePart("https://example.invalid/cat.png")],
    400,
    "invalid_request",
    "content[1].image_url.url",
  );
  expect((await thread(id)).messages).toEqual([]);
  // Negative control: the same request with four good images is taken.
  expect((await ask(id, five.slice(0, 5))).status).toBe(202);
  expect((await thread(id)).messages[0].images).toHaveLength(4);
  // The raised body limit is for images only: a long text beside one is still refused.
  const padded = await call("POST", "/api/chat", {
    conversationId: id,
    content: [{ type: "text", text: "y".repeat(1_100_000) }, imagePart(ok)],
  });
  expect(padded.status).toBe(413);
  expect(padded.json.error.code).toBe("body_too_large");
  // And it is /api/chat's alone.
  const patch = await call("PATCH", `/api/conversations/${id}`, { title: "x", pad: "y".repeat(1_100_000) });
  expect(patch.status).toBe(413);
}, 60_000);

test("a question of images alone: stored with empty text, and Retry (empty text) sends its images again", async () => {
  const id = await conversation();
  const image = dataUrl(png(500, 9));
  model.failNext();
  expect((await ask(id, [imagePart(image)])).status).toBe(202);
  const failed = (await thread(id)).messages;
  expect(failed.map((m: { role: string; status: string }) => [m.role, m.status])).toEqual([
    ["user", "complete"],
    ["assistant", "error"],
  ]);
  expect(failed[0].content).toBe("");
  // Retry: the same (empty) text after the message before the failed exchange.
  const retry = await call("POST", "/api/chat", {
    conversationId: id,
    content: [{ type: "text", text: "" }],
    parentId: null,
  });
  expect(retry.status).toBe(202);
  await answerStored(app.url, id, asAlice);
  expect(sent.at(-1)?.messages.at(-1)).toEqual({ role: "user", content: [imagePart(image)] });
  const after = (await thread(id)).messages;
  expect(after.map((m: { status: string }) => m.status)).toEqual(["complete", "complete"]);
  expect(after[0].images).toHaveLength(1);
  // Empty text with no images to fall back on is refused (negative control).
  const empty = await call("POST", "/api/chat", {
    conversationId: await conversation(),
    content: [{ type: "text", text: " " }],
    parentId: null,
  });
  expect(empty.status).toBe(400);
  expect(empty.json.error.field).toBe("content");
});
