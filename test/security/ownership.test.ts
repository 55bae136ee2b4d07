/**
 * Each user keeps to their own data: another user's conversation or stream is answered exactly
 * like one that does not exist, for reading, renaming, deleting and stopping alike. Each refusal
 * is paired with the owner's own request, which succeeds: the 404 is the ownership check.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { dataUrl } from "../../harness/client/file-parts.ts";
import { readStream } from "../../harness/client/stream.ts";
import { pdfFile } from "../../harness/pdf-file.ts";
import { ALICE, BOB, bearer, call, startTarget, type TargetApp } from "./setup.ts";

let app: TargetApp;
beforeAll(async () => {
  app = await startTarget();
});
afterAll(() => app?.stop());

test("another user's conversation: not listed, not readable, not renamable, not deletable", async () => {
  const created = await call(app, ALICE, "POST", "/api/conversations", { title: "alice's plans" });
  expect(created.status).toBe(201);
  const path = `/api/conversations/${created.json.id}`;
  expect((await call(app, BOB, "GET", "/api/conversations")).json.conversations).toEqual([]);
  expect((await call(app, BOB, "GET", path)).status).toBe(404);
  expect((await call(app, BOB, "PATCH", path, { title: "mine now" })).status).toBe(404);
  expect((await call(app, BOB, "DELETE", path)).status).toBe(404);
  expect(
    (
      await call(app, BOB, "POST", "/api/chat", {
        conversationId: created.json.id,
        messages: [{ role: "user", content: "hi" }],
      })
    ).status,
  ).toBe(404);
  const own = await call(app, ALICE, "GET", path);
  expect(own.status).toBe(200);
  expect(own.json.title).toBe("alice's plans");
  expect(own.json.messages).toEqual([]);
});

test("another user's stream: not watchable, not stoppable; the owner's keeps running", async () => {
  const started = await call(app, ALICE, "POST", "/api/chat", {
    messages: [{ role: "user", content: "/sim tps=50 tokens=40\nlong answer" }],
  });
  expect(started.status).toBe(202);
  const { streamUrl, streamId } = started.json;
  expect(streamId).toMatch(/^[A-Za-z0-9_-]{22,}$/); // 128 random bits, base64url
  expect((await fetch(`${app.url}${streamUrl}`, { headers: bearer(BOB) })).status).toBe(404);
  expect((await call(app, BOB, "DELETE", streamUrl)).status).toBe(404);
  const classic = await fetch(`${app.url}/chat`, { headers: { ...bearer(BOB), "last-event-id": `${streamId}.1` } });
  expect(classic.status).toBe(204);
  const watched = await readStream(`${app.url}${streamUrl}`, { timeoutMs: 10_000, headers: bearer(ALICE) });
  expect(JSON.parse(watched.events.at(-1)?.data ?? "{}").finish_reason).toBe("stop");
  expect(watched.events.filter((event) => event.event === "token")).toHaveLength(40);
});

test("another user's image and custom instructions: not readable, not changeable; the owner's are", async () => {
  const png = new Uint8Array(64).fill(7);
  png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const image = {
    type: "image_url",
    image_url: { url: `data:image/png;base64,${Buffer.from(png).toString("base64")}` },
  };
  const created = await call(app, ALICE, "POST", "/api/conversations", {});
  const other = await call(app, ALICE, "POST", "/api/conversations", {});
  const path = `/api/conversations/${created.json.id}`;
  const sent = await call(app, ALICE, "POST", "/api/chat", {
    conversationId: created.json.id,
    content: [{ type: "text", text: "/sim tokens=2\nwhat is it" }, image],
    parentId: null,
  });
  expect(sent.status).toBe(202);
  let imageId: string | undefined;
  for (let attempt = 0; attempt < 50 && !imageId; attempt++) {
    imageId = (await call(app, ALICE, "GET", path)).json.messages[0]?.images?.[0]?.id;
    if (!imageId) await Bun.sleep(100);
  }
  const imagePath = `${path}/images/${imageId}`;
  expect((await fetch(`${app.url}${imagePath}`, { headers: bearer(ALICE) })).status).toBe(200);
  expect((await fetch(`${app.url}${imagePath}`, { headers: bearer(BOB) })).status).toBe(404);
  // The image id alone is not enough: under another conversation, even the owner's, it is not there.
  const elsewhere = `/api/conversations/${other.json.id}/images/${imageId}`;
  expect((await fetch(`${app.url}${elsewhere}`, { headers: bearer(ALICE) })).status).toBe(404);
  expect((await call(app, BOB, "PATCH", path, { system_prompt: "obey bob" })).status).toBe(404);
  expect((await call(app, ALICE, "PATCH", path, { system_prompt: "be brief" })).status).toBe(200);
  expect((await call(app, ALICE, "GET", path)).json.system_prompt).toBe("be brief");
});

test("another user's document: its text not readable, its id useless elsewhere; the owner's is served", async () => {
  const created = await call(app, ALICE, "POST", "/api/conversations", {});
  const other = await call(app, ALICE, "POST", "/api/conversations", {});
  const path = `/api/conversations/${created.json.id}`;
  const secret = "alice's salary: 123456";
  const sent = await call(app, ALICE, "POST", "/api/chat", {
    conversationId: created.json.id,
    content: [
      { type: "text", text: "/sim tokens=2\nread it" },
      { type: "file", file: { filename: "pay.pdf", file_data: dataUrl(pdfFile([[secret]]), "application/pdf") } },
    ],
    parentId: null,
  });
  expect(sent.status).toBe(202);
  let documentId: string | undefined;
  for (let attempt = 0; attempt < 50 && !documentId; attempt++) {
    documentId = (await call(app, ALICE, "GET", path)).json.messages[0]?.documents?.[0]?.id;
    if (!documentId) await Bun.sleep(100);
  }
  const documentPath = `${path}/documents/${documentId}`;
  const own = await fetch(`${app.url}${documentPath}`, { headers: bearer(ALICE) });
  expect(own.status).toBe(200);
  expect(await own.text()).toBe(secret);
  const stolen = await fetch(`${app.url}${documentPath}`, { headers: bearer(BOB) });
  expect(stolen.status).toBe(404);
  expect(await stolen.text()).not.toContain("123456");
  // Under another conversation, even the owner's, the id finds nothing; nor does Bob's own conversation.
  const elsewhere = `/api/conversations/${other.json.id}/documents/${documentId}`;
  expect((await fetch(`${app.url}${elsewhere}`, { headers: bearer(ALICE) })).status).toBe(404);
  const bobs = await call(app, BOB, "POST", "/api/conversations", {});
  const viaBob = `/api/conversations/${bobs.json.id}/documents/${documentId}`;
  expect((await fetch(`${app.url}${viaBob}`, { headers: bearer(BOB) })).status).toBe(404);
  // Nor is it in Bob's view of anything: his list and his search are empty of it.
  expect((await call(app, BOB, "GET", "/api/conversations?q=salary")).json.conversations).toEqual([]);
});

test("nobody signed in: every API route answers 401, nothing else", async () => {
  for (const [method, path] of [
    ["GET", "/api/conversations"],
    ["POST", "/api/chat"],
    ["GET", "/api/streams/x"],
    ["DELETE", "/api/streams/x"],
    ["GET", "/chat?q=hi"],
    ["POST", "/v1/chat/completions"],
    ["GET", "/v1/models"],
    ["GET", "/api/chat-settings"],
    ["GET", "/api/conversations/x/images/y"],
    ["GET", "/api/conversations/x/documents/y"],
    ["PATCH", "/api/conversations/x"],
  ] as const) {
    const response = await fetch(`${app.url}${path}`, { method });
    expect([path, response.status]).toEqual([path, 401]);
  }
  expect((await fetch(`${app.url}/api/conversations`, { headers: bearer("not-a-token-of-ours") })).status).toBe(401);
});
