/**
 * Share links under attack: a link is its owner's to list and revoke (another user's attempt is
 * answered as for a link that does not exist), a revoked link is gone, SHARE decides who may open
 * one, and a link reaches its snapshot and nothing else of the owner's. Each refusal is paired
 * with the request that may succeed, which does: the refusal is the check, not a broken route.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { callJson } from "../../harness/client/api.ts";
import { askAfter, createConversation, readConversation, turnIn } from "../../harness/client/conversations.ts";
import { rawRequest } from "./raw-http.ts";
import { ALICE, BOB, bearer, call, startTarget, type TargetApp } from "./setup.ts";

function pngUrl(fill: number): string {
  const bytes = new Uint8Array(64).fill(fill);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return `data:image/png;base64,${Buffer.from(bytes).toString("base64")}`;
}

/** Alice's conversation with an image and two answers (the first on a branch not shown), shared. */
async function aliceShares(app: TargetApp) {
  const id = await createConversation(app.url, { token: ALICE });
  const image = { type: "image_url", image_url: { url: pngUrl(5) } };
  await askAfter(app.url, id, [{ type: "text", text: "/sim tokens=3\nHIDDEN-BRANCH" }, image], null, { token: ALICE });
  const hidden = (await readConversation(app.url, id, { token: ALICE })).messages;
  // An Edit of the first question: a new branch beside the first, shown now; the title is set apart.
  await turnIn(
    app.url,
    id,
    { content: "/sim tokens=3\nSHOWN-BRANCH", parentId: null, replace: true },
    { token: ALICE },
  );
  await call(app, ALICE, "PATCH", `/api/conversations/${id}`, { title: "Plans" });
  const shown = (await readConversation(app.url, id, { token: ALICE })).messages;
  const share = (await call(app, ALICE, "POST", `/api/conversations/${id}/shares`)).json;
  const imageId = (hidden[0] as { images?: { id: string }[] }).images?.[0]?.id ?? "";
  return { id, share, imageId, hidden, shown };
}

const anonymous = (app: TargetApp, path: string, init: RequestInit = {}) => fetch(`${app.url}${path}`, init);

describe("SHARE=signed-in (the default)", () => {
  let app: TargetApp;
  beforeAll(async () => {
    app = await startTarget();
  });
  afterAll(() => app?.stop());

  test("another user neither lists nor revokes a link; its owner does; a revoked link is gone", async () => {
    const { share } = await aliceShares(app);
    expect((await call(app, BOB, "GET", "/api/shares")).json.shares).toEqual([]);
    expect((await call(app, BOB, "DELETE", `/api/shares/${share.id}`)).status).toBe(404);
    expect((await call(app, BOB, "GET", `/api/shared/${share.id}`)).status).toBe(200);
    const imageId = (await call(app, BOB, "GET", `/api/shared/${share.id}`)).json.messages[0]?.images?.[0]?.id;
    expect((await call(app, ALICE, "GET", "/api/shares")).json.shares.map((s: { id: string }) => s.id)).toContain(
      share.id,
    );
    expect((await call(app, ALICE, "DELETE", `/api/shares/${share.id}`)).status).toBe(204);
    for (const path of [`/api/shared/${share.id}`, `/api/shared/${share.id}/images/${imageId}`])
      expect((await call(app, BOB, "GET", path)).status).toBe(404);
    expect((await call(app, BOB, "POST", `/api/shared/${share.id}/copy`)).status).toBe(404);
    expect((await call(app, ALICE, "DELETE", `/api/shares/${share.id}`)).status).toBe(404);
  });

  test("a link to another user's conversation cannot be made", async () => {
    const id = await createConversation(app.url, { token: ALICE });
    expect((await call(app, BOB, "POST", `/api/conversations/${id}/shares`)).status).toBe(404);
    expect((await call(app, ALICE, "POST", `/api/conversations/${id}/shares`)).status).toBe(201);
  });

  test("signed out, the snapshot and its images are refused (401); the page's shell alone is served", async () => {
    const { share } = await aliceShares(app);
    const snapshot = (await call(app, BOB, "GET", `/api/shared/${share.id}`)).json;
    const imageId = snapshot.messages.find((m: { images?: unknown[] }) => m.images)?.images?.[0]?.id;
    expect((await anonymous(app, `/api/shared/${share.id}`)).status).toBe(401);
    expect((await anonymous(app, `/api/shared/${share.id}/images/${imageId}`)).status).toBe(401);
    expect((await fetch(`${app.url}/api/shared/${share.id}/images/${imageId}`, { headers: bearer(BOB) })).status).toBe(
      200,
    );
  });

  test("cross-site: making, revoking and copying a link are refused; from the page itself they go through", async () => {
    const id = await createConversation(app.url, { token: ALICE });
    const crossSite = { "sec-fetch-site": "cross-site", origin: "https://evil.example" };
    const sameOrigin = { "sec-fetch-site": "same-origin" };
    const send = (token: string, method: string, path: string, headers: Record<string, string>) =>
      callJson(app.url, method, path, undefined, { token, headers });
    expect((await send(ALICE, "POST", `/api/conversations/${id}/shares`, crossSite)).status).toBe(403);
    const made = await send(ALICE, "POST", `/api/conversations/${id}/shares`, sameOrigin);
    expect(made.status).toBe(201);
    expect((await send(BOB, "POST", `/api/shared/${made.json.id}/copy`, crossSite)).status).toBe(403);
    expect((await send(BOB, "POST", `/api/shared/${made.json.id}/copy`, sameOrigin)).status).toBe(201);
    expect((await send(ALICE, "DELETE", `/api/shares/${made.json.id}`, crossSite)).status).toBe(403);
    expect((await send(ALICE, "DELETE", `/api/shares/${made.json.id}`, sameOrigin)).status).toBe(204);
  });

  test("link ids carry 128 random bits", async () => {
    const id = await createConversation(app.url, { token: ALICE });
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) ids.add((await call(app, ALICE, "POST", `/api/conversations/${id}/shares`)).json.id);
    expect(ids.size).toBe(20);
    for (const shareId of ids) expect(shareId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});

describe("SHARE=public", () => {
  let app: TargetApp;
  beforeAll(async () => {
    app = await startTarget({ SHARE: "public" });
  });
  afterAll(() => app?.stop());

  test("anyone with the link reads it; nothing else of the owner's is reachable with it", async () => {
    const { id, share, imageId, hidden, shown } = await aliceShares(app);
    const snapshot = await anonymous(app, `/api/shared/${share.id}`);
    expect(snapshot.status).toBe(200);
    const text = await snapshot.text();
    expect(text).toContain("SHOWN-BRANCH");
    for (const secret of ["HIDDEN-BRANCH", "alice", id, imageId, ...[...hidden, ...shown].map((m) => m.id)])
      expect(text).not.toContain(secret);
    expect(JSON.parse(text).can_copy).toBe(false);
    // Signed out: the owner's conversations, this one and its image, stay closed.
    for (const path of [
      "/api/conversations",
      `/api/conversations/${id}`,
      `/api/conversations/${id}/images/${imageId}`,
      "/api/shares",
      "/api/usage",
    ])
      expect((await anonymous(app, path)).status).toBe(401);
    // The owner's image id names nothing under the link, nor does a path out of it.
    expect((await anonymous(app, `/api/shared/${share.id}/images/${imageId}`)).status).toBe(404);
    for (const out of ["../..", "%2e%2e/%2e%2e", "..%2f..", "..\\.."]) {
      // Refused as a spelling (400), or read by the runtime as the path it names, signed out (401).
      const answer = await rawRequest(app.port, `/api/shared/${share.id}/${out}/conversations/${id}`);
      expect([400, 401]).toContain(answer.status);
      expect(answer.body).not.toContain("SHOWN-BRANCH");
    }
    expect((await anonymous(app, `/api/shared/${share.id}/copy`, { method: "POST" })).status).toBe(401);
    // Signed in as someone else: still only the snapshot.
    expect((await call(app, BOB, "GET", `/api/conversations/${id}`)).status).toBe(404);
    expect((await call(app, BOB, "GET", `/api/shared/${share.id}`)).json.can_copy).toBe(true);
  });
});

describe("SHARE=off", () => {
  let app: TargetApp;
  beforeAll(async () => {
    app = await startTarget({ SHARE: "off" });
  });
  afterAll(() => app?.stop());

  test("no link is made or served, for anyone; the conversation itself is served as ever", async () => {
    const id = await createConversation(app.url, { token: ALICE });
    expect((await call(app, ALICE, "POST", `/api/conversations/${id}/shares`)).status).toBe(404);
    expect((await call(app, ALICE, "GET", "/api/shares")).status).toBe(404);
    expect((await call(app, ALICE, "GET", "/api/shared/AAAAAAAAAAAAAAAAAAAAAA")).status).toBe(404);
    expect((await call(app, ALICE, "GET", `/api/conversations/${id}`)).status).toBe(200);
  });
});
