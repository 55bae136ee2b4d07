/**
 * The same spellings through the shipped Nginx (the production template, rendered as the image's
 * entrypoint renders it): no file outside public/, no internal route, whatever the path or the
 * Host header a client sends.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, rmSync } from "node:fs";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";
import { HOSTS, INTERNAL_PATHS, traversalTargets } from "./attacks.ts";
import { type LeakMarkers, leaked, leakMarkers, scanLeaks, secretFiles } from "./leaks.ts";
import { rawRequest } from "./raw-http.ts";

const root = new URL("../../", import.meta.url).pathname;
const dataDir = `.test-data/${crypto.randomUUID()}`;
let stack: Stack;
let port = 0;
let markers: LeakMarkers;

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
  markers = leakMarkers(dataDir);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(`${root}${dataDir}`, { recursive: true, force: true });
});

test("through Nginx, no traversal spelling serves a file outside public/", async () => {
  const targets = secretFiles(dataDir).flatMap(traversalTargets);
  expect(await scanLeaks(port, { targets, hosts: ["localhost", "x", "abc"] }, markers)).toEqual([]);
  expect((await rawRequest(port, "/assets/app.js")).status).toBe(200);
});

test("through Nginx, no spelling of an internal route answers, whatever the Host", async () => {
  expect(await scanLeaks(port, { targets: INTERNAL_PATHS, hosts: HOSTS }, markers)).toEqual([]);
  // Control: the internal listener itself does answer, so the markers would see a leak.
  expect(leaked(await (await fetch(`${stack.metricsUrl}/metrics`)).text(), markers)).toBe("the metrics");
});
