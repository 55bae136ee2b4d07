/**
 * A page of another site cannot make a signed-in browser change anything or start a billed
 * generation: cross-site POSTs and `GET /chat?q=` are refused, however the browser labels them,
 * while the same requests from the page itself go through.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { internalUrl } from "../../harness/stack/spawn.ts";
import { ALICE, startTarget, type TargetApp } from "./setup.ts";

/** What a browser sends from a page of another site (Fetch Metadata, and Origin). */
const CROSS_SITE_HEADERS: Record<string, string>[] = [
  { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
  { "sec-fetch-site": "same-site", origin: "https://evil.chat.example" },
  { origin: "https://evil.example" }, // an older browser: Origin only
  { origin: "null" }, // a sandboxed frame or a file:// page
];

let app: TargetApp;
let cookie = "";

async function signIn(target: TargetApp): Promise<string> {
  const response = await fetch(`${target.url}/api/session`, {
    method: "POST",
    headers: { "content-type": "application/json", "sec-fetch-site": "same-origin" },
    body: JSON.stringify({ token: ALICE }),
  });
  expect(response.status).toBe(200);
  const setCookie = response.headers.get("set-cookie") ?? "";
  expect(setCookie).toContain("HttpOnly");
  expect(setCookie).toContain("SameSite=Strict");
  return setCookie.split(";")[0] as string;
}

/** The statuses of a cross-site POST and GET /chat, for each way a browser may label them. */
async function crossSiteStatuses(target: TargetApp, session: string): Promise<number[]> {
  const statuses: number[] = [];
  for (const headers of CROSS_SITE_HEADERS) {
    const post = await fetch(`${target.url}/api/conversations`, {
      method: "POST",
      headers: { ...headers, cookie: session, "content-type": "application/json" },
      body: "{}",
    });
    const get = await fetch(`${target.url}/chat?q=hello`, { headers: { ...headers, cookie: session } });
    await get.body?.cancel();
    statuses.push(post.status, get.status);
  }
  return statuses;
}

beforeAll(async () => {
  app = await startTarget();
  cookie = await signIn(app);
});
afterAll(() => app?.stop());

test("cross-site POST and GET /chat are refused with 403, and no model call starts", async () => {
  const before = (await fetchSimStats(internalUrl(app))).started;
  const statuses = await crossSiteStatuses(app, cookie);
  expect(new Set(statuses)).toEqual(new Set([403]));
  expect((await fetchSimStats(internalUrl(app))).started).toBe(before);
});

test("control: the same requests from the page itself go through", async () => {
  for (const headers of [{ "sec-fetch-site": "same-origin" }, { origin: app.url }, {}] as Record<string, string>[]) {
    const post = await fetch(`${app.url}/api/conversations`, {
      method: "POST",
      headers: { ...headers, cookie, "content-type": "application/json" },
      body: "{}",
    });
    expect(post.status).toBe(201);
  }
});

test("CORS_ORIGINS lets exactly the listed origins call the API (preflight and request)", async () => {
  const open = await startTarget({ CORS_ORIGINS: "https://tools.example.com" });
  try {
    const preflight = await fetch(`${open.url}/api/chat`, {
      method: "OPTIONS",
      headers: { origin: "https://tools.example.com", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://tools.example.com");
    const other = await fetch(`${open.url}/api/chat`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  } finally {
    await open.stop();
  }
});

test("negative control: with the cross-site check off, the same requests succeed", async () => {
  const unguarded = await startTarget({}, { defencesOff: ["crossSite"] });
  try {
    const statuses = await crossSiteStatuses(unguarded, await signIn(unguarded));
    expect(statuses.filter((status) => status === 403)).toEqual([]);
  } finally {
    await unguarded.stop();
  }
});
