/**
 * Requests the page never makes are refused: an API route, `/chat` or `/v1` loaded as an image,
 * a style, a script, a frame… (`Sec-Fetch-Dest`) gets 403 and starts nothing, so an answer's
 * `![x](/chat?q=…)` cannot start another answer as the viewer each time it renders. The page's own
 * fetch() and EventSource ("empty"), a question's image in an <img>, an export's download link,
 * and clients that send no such header (curl, SDKs) go through. test/security/in-browser.test.ts
 * shows Chromium itself labelling the rendered image so.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eventually } from "../../harness/client/poll.ts";
import { fetchSimStats as simulatorStats } from "../../harness/client/sim-stats.ts";
import { internalUrl } from "../../harness/stack/spawn.ts";
import { rawRequest } from "./raw-http.ts";
import { ALICE, bearer, call, startTarget, type TargetApp } from "./setup.ts";

const NEVER_MADE = [
  "image",
  "style",
  "script",
  "iframe",
  "frame",
  "object",
  "embed",
  "font",
  "audio",
  "video",
  "track",
];

let app: TargetApp;
beforeAll(async () => {
  app = await startTarget();
});
afterAll(() => app?.stop());

/** GET `path` as alice, as a browser loading it for `destination` from the page itself. */
function load(target: TargetApp, path: string, destination?: string) {
  const fetchMetadata: Record<string, string> = destination
    ? { "sec-fetch-dest": destination, "sec-fetch-site": "same-origin" }
    : {};
  return rawRequest(target.port, path, { headers: { ...bearer(ALICE), ...fetchMetadata } });
}

async function modelCalls(target: TargetApp): Promise<number> {
  return (await simulatorStats(internalUrl(target))).started;
}

test("/chat?q= and API routes loaded as anything but fetch/EventSource: 403, and no model call", async () => {
  const before = await modelCalls(app);
  expect(before).toBeNumber();
  for (const destination of [...NEVER_MADE, "document"]) {
    for (const path of ["/chat?q=rendered", "/api/conversations", "/api/session", "/v1/models"]) {
      const response = await load(app, path, destination);
      expect([destination, path, response.status]).toEqual([destination, path, 403]);
      expect(JSON.parse(response.body).error.code).toBe("unexpected_destination");
    }
  }
  expect(await modelCalls(app)).toBe(before);
});

test("the page's own requests, images, exports and documents, and header-less clients go through", async () => {
  const created = await call(app, ALICE, "POST", "/api/conversations", {});
  const id = created.json.id as string;
  expect((await load(app, "/api/conversations", "empty")).status).toBe(200);
  expect((await load(app, `/api/conversations/${id}/export?format=md`, "document")).status).toBe(200);
  // An image route loaded by an <img>: through to the route (404: no such image).
  expect((await load(app, `/api/conversations/${id}/images/nope`, "image")).status).toBe(404);
  // A document's text opened by a link: through to the route (404: no such document)…
  expect((await load(app, `/api/conversations/${id}/documents/nope`, "document")).status).toBe(404);
  // …but never loaded as an image or a script (the control: the same path, refused at the edge).
  for (const destination of ["image", "script"])
    expect((await load(app, `/api/conversations/${id}/documents/nope`, destination)).status).toBe(403);
  expect((await load(app, "/", "document")).status).toBe(200);
  const stream = await load(app, "/chat?q=%2Fsim%20tokens%3D1%0Ahi", "empty");
  expect(stream.status).toBe(200);
  expect((await load(app, "/chat?q=%2Fsim%20tokens%3D1%0Ahi")).status).toBe(200);
});

test("negative control: with the check off, a rendered image starts an answer", async () => {
  const open = await startTarget({}, { defencesOff: ["fetchDestination"] });
  try {
    const before = await modelCalls(open);
    const response = await load(open, "/chat?q=%2Fsim%20tokens%3D1%0Arendered", "image");
    expect(response.status).toBe(200);
    expect(await eventually(async () => (await modelCalls(open)) === before + 1)).toBe(true);
  } finally {
    await open.stop();
  }
});
