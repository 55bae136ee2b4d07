/**
 * Fair shares: one user cannot hold every open-stream slot (LIMIT_USER_OPEN_STREAMS, 429
 * `too_many_user_streams`, others unaffected), and the bytes of bodies in flight have one budget
 * (INFLIGHT_BYTES_MAX: 429 `server_busy_uploads` while it is full, 413 for a body larger than all
 * of it), so memory stays bounded whatever the parallelism. test/cluster/user-streams.test.ts
 * counts the streams across two instances.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { ALICE, BOB, bearer, call, startTarget, type TargetApp } from "./setup.ts";

const LONG = { messages: [{ role: "user", content: "/sim tps=2 tokens=400\nslow" }] };

/** Opens a viewer of `streamUrl` and leaves it open (reading nothing); its status and a way to close it. */
async function openViewer(app: TargetApp, token: string, path: string) {
  const controller = new AbortController();
  const response = await fetch(`${app.url}${path}`, { headers: bearer(token), signal: controller.signal });
  if (response.status !== 200) await response.text();
  // The response is kept: a Response nothing refers to may be collected, and its connection closed
  // with it, which the server rightly counts as the viewer leaving.
  return { status: response.status, response, close: () => controller.abort() };
}

async function viewersOf(app: TargetApp, token: string, count: number) {
  const { json } = await call(app, token, "POST", "/api/chat", LONG);
  const viewers = [];
  for (let index = 0; index < count; index++) viewers.push(await openViewer(app, token, json.streamUrl));
  return { streamUrl: json.streamUrl as string, viewers };
}

describe("open streams per user", () => {
  let app: TargetApp;
  beforeAll(async () => {
    app = await startTarget({ LIMIT_USER_OPEN_STREAMS: "3", CANCEL_GRACE_MS: "60000" });
  });
  afterAll(() => app?.stop());

  test("a user holding their share gets 429 for one more, of any kind; others still open theirs", async () => {
    const bob = await viewersOf(app, BOB, 3);
    expect(bob.viewers.map((viewer) => viewer.status)).toEqual([200, 200, 200]);
    const refused = await fetch(`${app.url}${bob.streamUrl}`, { headers: bearer(BOB) });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect((await refused.json()).error.code).toBe("too_many_user_streams");
    expect((await openViewer(app, BOB, "/chat?q=%2Fsim%20tokens%3D1%0Ahi")).status).toBe(429);
    const v1 = await call(app, BOB, "POST", "/v1/chat/completions", { ...LONG, stream: true });
    expect(v1.status).toBe(429);
    const alice = await viewersOf(app, ALICE, 1);
    expect(alice.viewers[0]?.status).toBe(200);
    // A closed stream gives its slot back.
    bob.viewers[0]?.close();
    await Bun.sleep(200);
    const again = await openViewer(app, BOB, bob.streamUrl);
    expect(again.status).toBe(200);
    for (const viewer of [...bob.viewers, ...alice.viewers, again]) viewer.close();
  });
});

test("negative control: with the per-user count off, one user opens past their share", async () => {
  const app = await startTarget({ LIMIT_USER_OPEN_STREAMS: "3" }, { defencesOff: ["userStreams"] });
  try {
    const bob = await viewersOf(app, BOB, 5);
    expect(bob.viewers.map((viewer) => viewer.status)).toEqual([200, 200, 200, 200, 200]);
    for (const viewer of bob.viewers) viewer.close();
  } finally {
    await app.stop();
  }
});

/** Starts a POST whose body arrives in part (`sent` of `declared` bytes) and then stalls. */
function stalledUpload(app: TargetApp, declared: number, sent: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect({ port: app.port, host: "127.0.0.1" }, () => {
      const head = [
        "POST /api/conversations HTTP/1.1",
        "Host: localhost",
        `Authorization: Bearer ${ALICE}`,
        "Content-Type: application/json",
        `Content-Length: ${declared}`,
        "",
        "",
      ].join("\r\n");
      socket.write(`${head}{"title":"${"x".repeat(sent - 11)}`);
      // Time for the app to read (and reserve) what was sent.
      setTimeout(() => resolve(socket), 500);
    });
    socket.on("error", () => {});
  });
}

/** Four stalled uploads of 1 MB each (declared; 800 KB sent): together most of a 4 MiB budget. */
const stalledUploads = (app: TargetApp) =>
  Promise.all(Array.from({ length: 4 }, () => stalledUpload(app, 1_000_000, 800_000)));

const upload = (app: TargetApp, bytes: number) =>
  fetch(`${app.url}/api/conversations`, {
    method: "POST",
    headers: { ...bearer(ALICE), "content-type": "application/json" },
    body: JSON.stringify({ title: "y".repeat(bytes - 12) }),
  });

describe("bytes in flight", () => {
  let app: TargetApp;
  beforeAll(async () => {
    app = await startTarget({ INFLIGHT_BYTES_MAX: "4194304" });
  });
  afterAll(() => app?.stop());

  test("while stalled uploads hold the budget, another body gets 429; once they end, it goes through", async () => {
    const stalled = await stalledUploads(app);
    // Counted as memory: a body's declared bytes while it arrives (limits/inflight-bytes.ts), so
    // 4 MB held + 0.6 MB > 4 MiB, refused before its body is read.
    const refused = await upload(app, 600_000);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect((await refused.json()).error.code).toBe("server_busy_uploads");
    for (const socket of stalled) socket.destroy();
    await Bun.sleep(300);
    // Through the budget; the route then refuses the long title itself (400), as it should.
    expect((await upload(app, 600_000)).status).toBe(400);
  });

  test("a question larger than the whole budget gets 413", async () => {
    const response = await fetch(`${app.url}/api/chat`, {
      method: "POST",
      headers: { ...bearer(ALICE), "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "x".repeat(1_500_000) }] }),
    });
    expect(response.status).toBe(413);
  });
});

test("negative control: with the budget off, the same body goes through while the stalled ones hold memory", async () => {
  const app = await startTarget({ INFLIGHT_BYTES_MAX: "4194304" }, { defencesOff: ["inflightBytes"] });
  try {
    const stalled = await stalledUploads(app);
    expect((await upload(app, 600_000)).status).toBe(400);
    for (const socket of stalled) socket.destroy();
  } finally {
    await app.stop();
  }
});
