/**
 * The Responses API and the AI SDK's chat under attack: another user's response (read, resumed,
 * cancelled, continued) and chat (resumed, stopped, read, written into) are ones that do not
 * exist; the per-user limits hold on both routes, and a refused request stores nothing; a page of
 * another site cannot start either. Every refusal is paired with the owner's own request, which
 * succeeds (the negative control: the refusal is the check), and the cross-site check is shown to
 * let the same requests through when it is switched off.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { internalUrl } from "../../harness/stack/spawn.ts";
import { ALICE, BOB, bearer, call, startTarget, type TargetApp } from "./setup.ts";

const LONG = "/sim tps=20 tokens=400\nkeep going";
const uiBody = (id: string, text: string) => ({
  id,
  trigger: "submit-message",
  messages: [{ id: "m", role: "user", parts: [{ type: "text", text }] }],
});

let app: TargetApp;
beforeAll(async () => {
  app = await startTarget();
});
afterAll(() => app?.stop());

/** Starts a UI chat answer as `token`'s user and leaves the stream: the answer runs on. */
async function startUiAnswer(target: TargetApp, token: string, chat: string, text = LONG) {
  const response = await fetch(`${target.url}/api/chat`, {
    method: "POST",
    headers: { ...bearer(token), "content-type": "application/json" },
    body: JSON.stringify(uiBody(chat, text)),
  });
  await response.body?.cancel();
  return response.status;
}

describe("ownership", () => {
  test("another user's response: not readable, resumable, cancellable or continued; the owner's is", async () => {
    const created = await call(app, ALICE, "POST", "/v1/responses", { input: LONG, background: true });
    expect(created.status).toBe(200);
    const path = `/v1/responses/${created.json.id}`;
    expect((await call(app, BOB, "GET", path)).status).toBe(404);
    expect((await call(app, BOB, "GET", `${path}?stream=true&starting_after=3`)).status).toBe(404);
    expect((await call(app, BOB, "POST", `${path}/cancel`)).status).toBe(404);
    const continued = await call(app, BOB, "POST", "/v1/responses", {
      input: "hi",
      previous_response_id: created.json.id,
    });
    expect(continued.json.error).toMatchObject({ code: "invalid_request", field: "previous_response_id" });
    expect((await call(app, ALICE, "GET", path)).json.status).toBe("in_progress");
    expect((await call(app, ALICE, "POST", `${path}/cancel`)).json.status).toBe("cancelled");
    const own = await call(app, ALICE, "POST", "/v1/responses", {
      input: "/echo mine",
      previous_response_id: created.json.id,
    });
    expect(own.json.output[0].content[0].text).toBe("mine");
  });

  test("another user's chat of the same id is their own: nothing to resume, stop or read in it", async () => {
    expect(await startUiAnswer(app, ALICE, "shared-chat-id")).toBe(200);
    const stream = "/api/chat/shared-chat-id/stream";
    const resume = await fetch(`${app.url}${stream}`, { headers: bearer(BOB) });
    expect(resume.status).toBe(204);
    expect((await call(app, BOB, "DELETE", stream)).status).toBe(204);
    expect((await call(app, BOB, "GET", "/api/chat/shared-chat-id/messages")).json.messages).toEqual([]);
    // Bob writing to the same chat id writes to his own conversation.
    expect(await startUiAnswer(app, BOB, "shared-chat-id", "/echo bob's")).toBe(200);
    const alices = await call(app, ALICE, "GET", "/api/chat/shared-chat-id/messages");
    expect(alices.json.messages.map((message: { parts: { text: string }[] }) => message.parts[0]?.text)).toEqual([
      LONG,
    ]);
    // The owner's resume and Stop work.
    const own = await fetch(`${app.url}${stream}`, { headers: bearer(ALICE) });
    expect(own.status).toBe(200);
    await own.body?.cancel();
    expect((await call(app, ALICE, "DELETE", stream)).json.finish_reason).toBe("cancelled");
  });
});

describe("limits", () => {
  test("a user at the concurrency limit gets 429 on both routes, stores nothing; another user does not; Stop frees a slot", async () => {
    const limited = await startTarget({ LIMIT_USER_CONCURRENT: "2", LIMIT_USER_PER_MINUTE: "1000" });
    try {
      const first = await call(limited, ALICE, "POST", "/v1/responses", { input: LONG, background: true });
      expect(await startUiAnswer(limited, ALICE, "busy-chat")).toBe(200);
      const refused = await call(limited, ALICE, "POST", "/v1/responses", { input: LONG, background: true });
      expect(refused.status).toBe(429);
      expect(refused.json.error.code).toBe("too_many_requests");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(await startUiAnswer(limited, ALICE, "refused-chat")).toBe(429);
      const listed = await call(limited, ALICE, "GET", "/api/conversations");
      expect(listed.json.conversations).toHaveLength(2);
      expect((await call(limited, BOB, "POST", "/v1/responses", { input: "/echo fine", store: false })).status).toBe(
        200,
      );
      await call(limited, ALICE, "POST", `/v1/responses/${first.json.id}/cancel`);
      expect(await startUiAnswer(limited, ALICE, "refused-chat", "/echo now it runs")).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});

describe("cross-site", () => {
  async function signIn(target: TargetApp): Promise<string> {
    const response = await fetch(`${target.url}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json", "sec-fetch-site": "same-origin" },
      body: JSON.stringify({ token: ALICE }),
    });
    return (response.headers.get("set-cookie") ?? "").split(";")[0] as string;
  }
  /** The statuses of the two routes' POSTs sent by a page of another site with the user's session. */
  async function crossSite(target: TargetApp): Promise<number[]> {
    const headers = {
      cookie: await signIn(target),
      "content-type": "application/json",
      "sec-fetch-site": "cross-site",
      origin: "https://evil.example",
    };
    const statuses: number[] = [];
    for (const [path, body] of [
      ["/v1/responses", { input: "/echo spent", store: false }],
      ["/api/chat", uiBody("evil", "/echo spent")],
    ] as const) {
      const response = await fetch(`${target.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
      await response.body?.cancel();
      statuses.push(response.status);
    }
    return statuses;
  }

  test("a page of another site cannot start a response or a chat answer; no model call starts", async () => {
    const before = (await fetchSimStats(internalUrl(app))).started;
    expect(await crossSite(app)).toEqual([403, 403]);
    expect((await fetchSimStats(internalUrl(app))).started).toBe(before);
  });

  test("negative control: with the cross-site check off, the same requests start both", async () => {
    const unguarded = await startTarget({}, { defencesOff: ["crossSite"] });
    try {
      expect(await crossSite(unguarded)).toEqual([200, 200]);
    } finally {
      await unguarded.stop();
    }
  });
});
