/**
 * `/readyz` tells whether the upstream answers: false against a closed port, true against a
 * running simulator and with the embedded one, and 200 either way. The probe is cached: a burst of
 * readiness checks asks the upstream once.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeModel } from "../../harness/fake-model.ts";
import { freePort } from "../../harness/stack/free-port.ts";
import { type Started, startApp, startSimulator } from "../../harness/stack/spawn.ts";
import { createUpstreamClient } from "../../src/upstream/client.ts";
import { UpstreamProbe } from "../../src/upstream/probe.ts";

let simulator: Started;
const started: Started[] = [];

beforeAll(async () => {
  simulator = await startSimulator();
});

afterAll(async () => {
  for (const app of started) await app.stop();
  await simulator?.stop();
});

async function readiness(env: Record<string, string>) {
  const app = await startApp(env);
  started.push(app);
  const response = await fetch(`${app.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.json() };
}

test("an upstream on a closed port: /readyz stays 200 and says upstream_reachable false", async () => {
  const ready = await readiness({ UPSTREAM_BASE_URL: `http://127.0.0.1:${freePort()}/v1`, MODEL: "demo" });
  expect(ready.status).toBe(200);
  expect(ready.body).toMatchObject({ status: "ready", upstream: "upstream", upstream_reachable: false });
});

test("a running standalone simulator as the upstream is reachable", async () => {
  const ready = await readiness({ UPSTREAM_BASE_URL: `${simulator.url}/v1`, MODEL: "demo" });
  expect(ready.status).toBe(200);
  expect(ready.body).toMatchObject({ status: "ready", upstream: "upstream", upstream_reachable: true });
});

test("the embedded simulator counts as reachable", async () => {
  const ready = await readiness({});
  expect(ready.body).toMatchObject({ upstream: "simulator", upstream_reachable: true });
});

test("the probe asks once per interval, shares a probe in flight, and sees the upstream go away", async () => {
  const upstream = startFakeModel({ models: ["demo"] });
  const client = createUpstreamClient({ baseUrl: upstream.baseUrl, apiKey: undefined });
  const probe = new UpstreamProbe(client, { intervalMs: 300, timeoutMs: 1_000 });
  try {
    expect(await Promise.all([probe.reachable(), probe.reachable(), probe.reachable()])).toEqual([true, true, true]);
    expect(upstream.requests()).toBe(1);
    expect(await probe.reachable()).toBe(true);
    expect(upstream.requests()).toBe(1);
    upstream.stop();
    // Within the interval the cached answer stands; after it, the closed port shows.
    expect(await probe.reachable()).toBe(true);
    await Bun.sleep(350);
    expect(await probe.reachable()).toBe(false);
  } finally {
    upstream.stop();
  }
});

test("an upstream that never answers counts as unreachable after the probe's short timeout", async () => {
  const silent = startFakeModel({ silent: true });
  const client = createUpstreamClient({ baseUrl: silent.baseUrl, apiKey: undefined });
  const probe = new UpstreamProbe(client, { timeoutMs: 300 });
  try {
    const began = performance.now();
    expect(await probe.reachable()).toBe(false);
    expect(performance.now() - began).toBeLessThan(5_000);
  } finally {
    silent.stop();
  }
});
