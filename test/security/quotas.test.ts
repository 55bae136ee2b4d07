/**
 * Quotas per user over HTTP: past QUOTA_USER_CONVERSATIONS a new conversation is 429, and a
 * question whose images would take the user past QUOTA_USER_BYTES is 413, both
 * `quota_exceeded` with a JSON body naming the quota; nothing is stored, and another user is not
 * affected. The control: with the quotas at 0 (none), the same requests are all accepted.
 */
import { afterAll, expect, test } from "bun:test";
import { pngBytes } from "../conversations/store-suite-extras.ts";
import { ALICE, BOB, call, startTarget, type TargetApp } from "./setup.ts";

const QUOTAS = { QUOTA_USER_CONVERSATIONS: "2", QUOTA_USER_BYTES: "40000" };

/** A question with one 15,000-byte image (the quota holds two such questions, not three). */
const withImage = (conversationId: string, text: string) => ({
  conversationId,
  content: [
    { type: "text", text: `/sim tokens=2 ttft_ms=0\n${text}` },
    {
      type: "image_url",
      image_url: { url: `data:image/png;base64,${Buffer.from(pngBytes(15_000)).toString("base64")}` },
    },
  ],
});

const apps: TargetApp[] = [];
afterAll(() => Promise.all(apps.map((app) => app.stop())));
const start = async (env: Record<string, string>) => {
  const app = await startTarget(env);
  apps.push(app);
  return app;
};

/** Creates three conversations and asks three questions with an image in the first: the statuses. */
async function fillUp(app: TargetApp) {
  const created = [];
  for (let index = 0; index < 3; index++) created.push(await call(app, ALICE, "POST", "/api/conversations", {}));
  const id = created[0]?.json.id as string;
  const asked = [];
  for (let index = 0; index < 3; index++) {
    asked.push(await call(app, ALICE, "POST", "/api/chat", withImage(id, `picture ${index}`)));
    // One exchange at a time in a conversation: wait for this answer to be stored.
    for (let tries = 0; tries < 200; tries++) {
      const stored = await call(app, ALICE, "GET", `/api/conversations/${id}`);
      if (stored.json.running_stream_id === null) break;
      await Bun.sleep(25);
    }
  }
  return { id, created, asked };
}

test("past its quotas a user gets 429 (conversations) and 413 (stored bytes), naming the quota; nothing is stored", async () => {
  const app = await start(QUOTAS);
  const { id, created, asked } = await fillUp(app);
  expect(created.map((response) => response.status)).toEqual([201, 201, 429]);
  expect(created[2]?.json.error).toMatchObject({ code: "quota_exceeded", quota: "conversations", limit: 2, used: 2 });
  expect(asked.map((response) => response.status)).toEqual([202, 202, 413]);
  expect(asked[2]?.json.error).toMatchObject({ code: "quota_exceeded", quota: "stored_bytes", limit: 40_000 });
  expect(asked[2]?.json.error.message).toContain("QUOTA_USER_BYTES");
  const stored = await call(app, ALICE, "GET", `/api/conversations/${id}`);
  expect(stored.json.messages.filter((message: { role: string }) => message.role === "user").length).toBe(2);
  // Bob has quotas of his own.
  expect((await call(app, BOB, "POST", "/api/conversations", {})).status).toBe(201);
});

test("the control: with the quotas at 0, the same requests are accepted", async () => {
  const app = await start({ QUOTA_USER_CONVERSATIONS: "0", QUOTA_USER_BYTES: "0" });
  const { created, asked } = await fillUp(app);
  expect(created.map((response) => response.status)).toEqual([201, 201, 201]);
  expect(asked.map((response) => response.status)).toEqual([202, 202, 202]);
});
