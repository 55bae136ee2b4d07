/**
 * Share links over real sockets, on the runtime under test: the owner makes a link to the branch
 * a conversation shows, with its image; the snapshot and its image are served with noindex, no
 * Referer and no cache; its page keeps the CSP; a signed-in viewer copies it into their own
 * chats; `SHARE=off` offers none of it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type CallOptions, callJson } from "../../harness/client/api.ts";
import { askAfter, createConversation, readConversation } from "../../harness/client/conversations.ts";
import { type Started, startApp } from "../../harness/stack/spawn.ts";

const ALICE = "alice-share-token-00001";
const BOB = "bob-share-token-0000002";
const access = { AUTH: "token", AUTH_TOKENS: `alice:${ALICE},bob:${BOB}`, SIM_TTFT_MS: "0" };
let app: Started;
beforeAll(async () => {
  app = await startApp(access);
});
afterAll(() => app?.stop());

const as = (token: string): CallOptions => ({ token });
const call = (token: string | undefined, method: string, path: string, body?: unknown) =>
  callJson(app.url, method, path, body, { token });

function png(): string {
  const bytes = new Uint8Array(64).fill(3);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return `data:image/png;base64,${Buffer.from(bytes).toString("base64")}`;
}

test("a link to the branch shown, with its image; the viewer's copy is theirs", async () => {
  const id = await createConversation(app.url, as(ALICE));
  const question = [
    { type: "text", text: "/sim tokens=6\nwhat is it" },
    { type: "image_url", image_url: { url: png() } },
  ];
  await askAfter(app.url, id, question, null, as(ALICE));
  const created = await call(ALICE, "POST", `/api/conversations/${id}/shares`);
  expect(created.status).toBe(201);
  expect(created.json).toMatchObject({ conversation_id: id, message_count: 2, url: `/s/${created.json.id}` });

  const shared = await call(BOB, "GET", `/api/shared/${created.json.id}`);
  expect(shared.status).toBe(200);
  expect(shared.headers.get("x-robots-tag")).toBe("noindex, nofollow");
  expect(shared.headers.get("referrer-policy")).toBe("no-referrer");
  expect(shared.headers.get("cache-control")).toBe("no-store");
  const stored = (await readConversation(app.url, id, as(ALICE))).messages;
  expect(shared.json.messages.map((message: { content: string }) => message.content)).toEqual(
    stored.map((message) => message.content),
  );
  expect(shared.json.can_copy).toBe(true);
  const imageId = shared.json.messages[0].images[0].id;
  const image = await fetch(`${app.url}/api/shared/${created.json.id}/images/${imageId}`, {
    headers: { authorization: `Bearer ${BOB}`, "sec-fetch-dest": "image" },
  });
  expect([image.status, image.headers.get("content-type"), image.headers.get("x-content-type-options")]).toEqual([
    200,
    "image/png",
    "nosniff",
  ]);
  expect(Buffer.from(await image.arrayBuffer()).toString("base64")).toBe(png().split(",")[1] ?? "");

  const copy = await call(BOB, "POST", `/api/shared/${created.json.id}/copy`);
  expect(copy.status).toBe(201);
  const mine = await readConversation(app.url, copy.json.id, as(BOB));
  expect(mine.messages.map((message) => message.content)).toEqual(stored.map((message) => message.content));
  expect((await call(BOB, "GET", "/api/conversations")).json.conversations[0].id).toBe(copy.json.id);
  const listed = (await call(ALICE, "GET", `/api/shares?conversation=${id}`)).json.shares;
  expect(listed.map((share: { id: string }) => share.id)).toEqual([created.json.id]);
});

test("the link's page: a shell that keeps the CSP, marked noindex, and reachable signed out", async () => {
  const page = await fetch(`${app.url}/s/AAAAAAAAAAAAAAAAAAAAAA`);
  expect(page.status).toBe(200);
  expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
  expect(page.headers.get("x-robots-tag")).toBe("noindex, nofollow");
  const html = await page.text();
  expect(html).toContain('<meta name="robots" content="noindex, nofollow" />');
  expect(html).toContain("/assets/shared.js");
  // The shell holds no conversation: the snapshot needs a signed-in viewer (SHARE=signed-in).
  expect((await fetch(`${app.url}/api/shared/AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(401);
});

test("SHARE=off: no link is made, served or offered", async () => {
  const off = await startApp({ ...access, SHARE: "off" });
  try {
    const id = await createConversation(off.url, as(ALICE));
    const tries = [
      await callJson(off.url, "POST", `/api/conversations/${id}/shares`, undefined, as(ALICE)),
      await callJson(off.url, "GET", "/api/shares", undefined, as(ALICE)),
      await callJson(off.url, "GET", "/api/shared/AAAAAAAAAAAAAAAAAAAAAA", undefined, as(ALICE)),
    ];
    expect(tries.map((tried) => tried.status)).toEqual([404, 404, 404]);
    expect((await fetch(`${off.url}/s/AAAAAAAAAAAAAAAAAAAAAA`)).status).toBe(401);
    expect((await callJson(off.url, "GET", "/api/chat-settings", undefined, as(ALICE))).json.share).toBe("off");
    expect((await call(ALICE, "GET", "/api/chat-settings")).json.share).toBe("signed-in");
  } finally {
    await off.stop();
  }
});
