/**
 * The same spellings through the shipped Nginx (the production template, rendered as the image's
 * entrypoint renders it): no file outside public/, no internal route, whatever the path or the
 * Host header a client sends.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, rmSync } from "node:fs";
import { type Stack, startStack } from "../../scripts/stack/start-stack.ts";
import { HOSTS, INTERNAL_PATHS, leaked, traversalTargets } from "./attacks.ts";
import { rawRequest } from "./raw-http.ts";

const root = new URL("../../", import.meta.url).pathname;
const dataDir = `.test-data/${crypto.randomUUID()}`;
let stack: Stack;
let port = 0;

beforeAll(async () => {
  mkdirSync(`${root}${dataDir}`, { recursive: true });
  stack = await startStack({ env: { DATA_DIR: dataDir } });
  port = Number(new URL(stack.url).port);
  // The database exists before anyone tries to read it.
  await fetch(`${stack.url}/api/conversations`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(`${root}${dataDir}`, { recursive: true, force: true });
});

test("through Nginx, no traversal spelling serves a file outside public/", async () => {
  const leaks: string[] = [];
  for (const file of ["package.json", `${dataDir}/sluice.db`]) {
    for (const target of traversalTargets(file)) {
      for (const host of ["localhost", "x", "abc"]) {
        const marker = leaked((await rawRequest(port, target, { host })).body);
        if (marker) leaks.push(`${target} (Host: ${host}) → ${marker}`);
      }
    }
  }
  expect(leaks).toEqual([]);
  expect((await rawRequest(port, "/assets/app.js")).status).toBe(200);
});

test("through Nginx, no spelling of an internal route answers, whatever the Host", async () => {
  const leaks: string[] = [];
  for (const path of INTERNAL_PATHS) {
    for (const host of HOSTS) {
      const marker = leaked((await rawRequest(port, path, { host })).body);
      if (marker) leaks.push(`${path} (Host: ${host}) → ${marker}`);
    }
  }
  expect(leaks).toEqual([]);
  // Control: the internal listener itself does answer, so the markers would see a leak.
  expect(leaked(await (await fetch(`${stack.metricsUrl}/metrics`)).text())).toBe("sluice_tokens_total");
});
