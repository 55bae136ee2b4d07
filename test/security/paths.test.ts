/**
 * Nothing outside public/ is ever served, whatever the spelling of the path or the Host header,
 * signed in or not; and no spelling of an internal route reaches it on the public listener.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { internalUrl } from "../../harness/stack/spawn.ts";
import { HOSTS, INTERNAL_PATHS, traversalTargets } from "./attacks.ts";
import { type LeakMarkers, leaked, leakMarkers, scanLeaks, secretFiles } from "./leaks.ts";
import { rawRequest } from "./raw-http.ts";
import { ALICE, bearer, startTarget, type TargetApp } from "./setup.ts";

/** Every traversal spelling of every secret file, under a few Host headers, anonymous and signed in. */
function traversalLeaks(app: TargetApp, markers: LeakMarkers): Promise<string[]> {
  const targets = secretFiles(app.dataDir).flatMap(traversalTargets);
  return scanLeaks(app.port, { targets, hosts: ["localhost", "x", "abc"], headerSets: [{}, bearer(ALICE)] }, markers);
}

/** The app, with its database made before anyone tries to read it; and what would show a leak of it. */
async function startWithData(options: Parameters<typeof startTarget>[1] = {}) {
  const app = await startTarget({}, options);
  await fetch(`${app.url}/api/conversations`, { method: "POST", headers: bearer(ALICE) });
  return { app, markers: leakMarkers(app.dataDir) };
}

describe("static files", () => {
  let app: TargetApp;
  let markers: LeakMarkers;
  beforeAll(async () => {
    ({ app, markers } = await startWithData());
  });
  afterAll(() => app?.stop());

  test("no traversal spelling serves a file outside public/", async () => {
    expect(await traversalLeaks(app, markers)).toEqual([]);
    // The files the page needs are still served.
    expect((await rawRequest(app.port, "/assets/app.js")).status).toBe(200);
  });

  test("no spelling of an internal route answers on the public port, whatever the Host", async () => {
    const scan = { targets: INTERNAL_PATHS, hosts: HOSTS, headerSets: [bearer(ALICE)] };
    expect(await scanLeaks(app.port, scan, markers)).toEqual([]);
  });

  test("control: the leak markers do recognise the internal listener's answers", async () => {
    const internal = internalUrl(app);
    expect(leaked(await (await fetch(`${internal}/metrics`)).text(), markers)).toBe("the metrics");
    expect(leaked(await (await fetch(`${internal}/sim/stats`)).text(), markers)).toBe("the simulator's statistics");
  });
});

describe("negative control: with the path defences off, Deno serves files outside public/", () => {
  test("a traversal spelling then leaks each secret file, and its marker recognises it", async () => {
    // Deno passes `..` through to the handler unnormalised; a static catch-all then joins it onto
    // the folder. Always on Deno: that is where the attack is real.
    const { app, markers } = await startWithData({ defencesOff: ["pathSpelling", "fixedFileSet"], runtime: "deno" });
    try {
      const leaks = await traversalLeaks(app, markers);
      const what = new Set(leaks.map((leak) => leak.slice(leak.lastIndexOf("→ ") + 2)));
      expect([...what].sort()).toEqual(["package.json", "the database", "the session secret"]);
    } finally {
      await app.stop();
    }
  });
});
