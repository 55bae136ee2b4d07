/**
 * The route chosen never depends on the Host header: each path answers the same under every Host
 * as under a normal one. (Elysia finds the path by searching for "/" from index 11, so a Host of
 * three characters or fewer once routed `/zz/readyz` to `/readyz`, and a proxy in front checked
 * one path while the app served another.)
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { HOSTS } from "./attacks.ts";
import { rawRequest } from "./raw-http.ts";
import { ALICE, bearer, startTarget, type TargetApp } from "./setup.ts";

const PATHS = [
  "/healthz",
  "/readyz",
  "/zz/readyz",
  "/abc/healthz",
  "/assets/api/conversations",
  "/x/api/session",
  "/q/chat",
];

/** Paths whose answer under some Host differs from their answer under `Host: localhost`. */
async function hostDependentRoutes(app: TargetApp): Promise<string[]> {
  const differences: string[] = [];
  for (const path of PATHS) {
    const normal = await rawRequest(app.port, path, { headers: bearer(ALICE) });
    for (const host of HOSTS) {
      const response = await rawRequest(app.port, path, { host, headers: bearer(ALICE) });
      // No Host, or an empty one, is a bad request (RFC 9112 §3.2), never a route.
      const expected = host === null || host === "" ? 400 : normal.status;
      if (response.status !== expected) differences.push(`${path} (Host: ${host}): ${response.status} vs ${expected}`);
    }
  }
  return differences;
}

let app: TargetApp;
beforeAll(async () => {
  app = await startTarget();
});
afterAll(() => app?.stop());

test("every path routes the same under every Host header", async () => {
  expect(await hostDependentRoutes(app)).toEqual([]);
});

test("ALLOWED_HOSTS refuses other Host values (DNS rebinding) with 421", async () => {
  const pinned = await startTarget({ ALLOWED_HOSTS: "chat.example.com" });
  try {
    expect((await rawRequest(pinned.port, "/healthz", { host: "chat.example.com" })).status).toBe(200);
    expect((await rawRequest(pinned.port, "/healthz", { host: "chat.example.com:8080" })).status).toBe(200);
    for (const host of ["evil.example", "localhost", "x"])
      expect((await rawRequest(pinned.port, "/healthz", { host })).status).toBe(421);
    expect((await rawRequest(pinned.port, "/healthz", { host: "" })).status).toBe(400);
  } finally {
    await pinned.stop();
  }
});

test("negative control: with host routing off, a short Host reaches another route", async () => {
  const unguarded = await startTarget({}, { defencesOff: ["hostRouting"] });
  try {
    expect((await hostDependentRoutes(unguarded)).length).toBeGreaterThan(0);
  } finally {
    await unguarded.stop();
  }
});
