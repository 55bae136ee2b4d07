/**
 * Nothing outside public/ is ever served, whatever the spelling of the path or the Host header,
 * signed in or not; and no spelling of an internal route reaches it on the public listener.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { internalUrl } from "../support/spawn.ts";
import { HOSTS, INTERNAL_PATHS, leaked, traversalTargets } from "./attacks.ts";
import { rawRequest } from "./raw-http.ts";
import { ALICE, bearer, startTarget, type TargetApp } from "./setup.ts";

/** Every traversal spelling of every file, under a few Host headers, anonymous and signed in. */
async function traversalLeaks(app: TargetApp): Promise<string[]> {
  const leaks: string[] = [];
  for (const file of ["package.json", `${app.dataDir}/sluice.db`]) {
    for (const target of traversalTargets(file)) {
      for (const host of ["localhost", "x", "abc"]) {
        for (const headers of [{}, bearer(ALICE)]) {
          const response = await rawRequest(app.port, target, { host, headers });
          const marker = leaked(response.body);
          if (marker) leaks.push(`${target} (Host: ${host}) → ${marker}`);
        }
      }
    }
  }
  return leaks;
}

describe("static files", () => {
  let app: TargetApp;
  beforeAll(async () => {
    app = await startTarget();
    // The database exists before anyone tries to read it.
    await fetch(`${app.url}/api/conversations`, { method: "POST", headers: bearer(ALICE) });
  });
  afterAll(() => app?.stop());

  test("no traversal spelling serves a file outside public/", async () => {
    expect(await traversalLeaks(app)).toEqual([]);
    // The files the page needs are still served.
    expect((await rawRequest(app.port, "/assets/app.js")).status).toBe(200);
  });

  test("no spelling of an internal route answers on the public port, whatever the Host", async () => {
    const leaks: string[] = [];
    for (const path of INTERNAL_PATHS) {
      for (const host of HOSTS) {
        const response = await rawRequest(app.port, path, { host, headers: bearer(ALICE) });
        const marker = leaked(response.body);
        if (marker) leaks.push(`${path} (Host: ${host}) → ${marker}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  test("control: the leak markers do recognise the internal listener's answers", async () => {
    const internal = internalUrl(app);
    expect(leaked(await (await fetch(`${internal}/metrics`)).text())).toBe("sluice_tokens_total");
    expect(leaked(await (await fetch(`${internal}/sim/stats`)).text())).toBe('"cancellations"');
  });
});

describe("negative control: with the path defences off, Deno serves files outside public/", () => {
  test("a traversal spelling then leaks a file, so the check above can fail", async () => {
    // Deno passes `..` through to the handler unnormalised; a static catch-all then joins it onto
    // the folder. Always on Deno: that is where the attack is real.
    const app = await startTarget({}, { defencesOff: ["pathSpelling", "fixedFileSet"], runtime: "deno" });
    try {
      expect((await traversalLeaks(app)).length).toBeGreaterThan(0);
    } finally {
      await app.stop();
    }
  });
});
