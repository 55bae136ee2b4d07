/**
 * Global limits and byte budgets, against the real app process: open streams of every kind, the
 * active generations (with /v1 calls counted), one answer's bytes, one 10 MB upstream chunk, and
 * the retained bytes of every finished answer together.
 */
import { afterEach, expect, test } from "bun:test";
import { startChat } from "../../harness/client/chat.ts";
import { metricValue } from "../../harness/client/metrics.ts";
import { eventually } from "../../harness/client/poll.ts";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { answerText, readStream } from "../../harness/client/stream.ts";
import { startFakeModel } from "../../harness/fake-model.ts";
import { internalUrl, type Started, startApp } from "../../harness/stack/spawn.ts";
import { TOKEN_MEMORY_BYTES } from "../../src/generation/event-log.ts";
import { GENERATION_OVERHEAD_BYTES } from "../../src/generation/registry.ts";

const started: Started[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.stop()));
});

async function app(env: Record<string, string>) {
  const running = await startApp({ SIM_TTFT_MS: "0", SIM_MAX_TOKENS: "100000", MAX_OUTPUT_TOKENS: "100000", ...env });
  started.push(running);
  return running;
}

/** Opens a stream and keeps it open (headers read, body not): closes with the returned function. */
async function holdOpen(url: string, init: RequestInit = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { ...init, signal: controller.signal });
  return { response, close: () => controller.abort() };
}

const v1Stream = (base: string) =>
  holdOpen(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ stream: true, messages: [{ role: "user", content: "/sim tps=2 tokens=100\nslow" }] }),
  });

test("past MAX_OPEN_STREAMS every kind of stream gets 429 with Retry-After; /v1 streams count", async () => {
  const sluice = await app({ MAX_OPEN_STREAMS: "2" });
  const api = await holdOpen((await startChat(sluice.url, "/sim tps=2 tokens=100\nslow")).url);
  const v1 = await v1Stream(sluice.url);
  expect([api.response.status, v1.response.status]).toEqual([200, 200]);
  const startedBefore = (await fetchSimStats(internalUrl(sluice))).started;

  const third = await fetch((await startChat(sluice.url, "/sim tps=2 tokens=100\nthird")).url);
  expect(third.status).toBe(429);
  expect(third.headers.get("retry-after")).toBe("1");
  expect((await third.json()).error.code).toBe("too_many_open_streams");
  const classic = await fetch(`${sluice.url}/chat?q=hello`);
  expect(classic.status).toBe(429);
  await classic.body?.cancel();
  const refusedV1 = await v1Stream(sluice.url);
  expect(refusedV1.response.status).toBe(429);
  // The /api/chat above started one call (its POST is not a stream); /chat and /v1 were refused before any.
  expect((await fetchSimStats(internalUrl(sluice))).started).toBe(startedBefore + 1);
  expect(await metricValue(internalUrl(sluice), 'sluice_rejected_total{reason="open_streams"}')).toBe(3);

  v1.close();
  expect(await eventually(async () => (await fetch((await startChat(sluice.url, "again")).url)).status === 200)).toBe(
    true,
  );
  api.close();
}, 30_000);

test("MAX_ACTIVE_GENERATIONS counts /v1 calls too", async () => {
  const sluice = await app({ MAX_ACTIVE_GENERATIONS: "1" });
  const v1 = await v1Stream(sluice.url);
  expect(v1.response.status).toBe(200);
  const refused = await fetch(`${sluice.url}/api/chat`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
  });
  expect(refused.status).toBe(429);
  expect(refused.headers.get("retry-after")).toBe("1");
  expect((await refused.json()).error.code).toBe("too_many_streams");
  expect(await metricValue(internalUrl(sluice), 'sluice_rejected_total{reason="active_generations"}')).toBe(1);
  v1.close();
  expect(
    await eventually(() =>
      startChat(sluice.url, "now").then(
        () => true,
        () => false,
      ),
    ),
  ).toBe(true);
}, 30_000);

test("one answer past MAX_GENERATION_BYTES ends with finish_reason length, within the budget", async () => {
  const sluice = await app({ MAX_GENERATION_BYTES: "2048" });
  const read = await readStream((await startChat(sluice.url, "/sim tps=100000 tokens=5000\nlong")).url);
  const done = JSON.parse(read.events.at(-1)?.data ?? "{}");
  expect(done.finish_reason).toBe("length");
  const bytes = Buffer.byteLength(answerText(read.events));
  expect(bytes).toBeLessThanOrEqual(2048);
  expect(bytes).toBeGreaterThan(2000);
}, 30_000);

test("RETAINED_BYTES_MAX evicts the oldest finished answers first; an evicted one is 404 like an expired one", async () => {
  // Each answer is cut at 16 tokens of 1 KiB, which it holds as 16 strings of 2 KiB (UTF-16) plus
  // each entry's and the generation's overhead (event-log.ts, registry.ts): three fit in 128 KiB.
  const held = 16 * (2 * 1024 + TOKEN_MEMORY_BYTES) + GENERATION_OVERHEAD_BYTES;
  expect(3 * held).toBeLessThanOrEqual(131_072);
  expect(4 * held).toBeGreaterThan(131_072);
  const upstream = startFakeModel({ models: ["big"], tokens: Array.from({ length: 20 }, () => "x".repeat(1024)) });
  try {
    const sluice = await app({
      UPSTREAM_BASE_URL: upstream.baseUrl,
      MODEL: "big",
      MAX_GENERATION_BYTES: "16384",
      RETAINED_BYTES_MAX: "131072",
    });
    const urls: string[] = [];
    for (let index = 0; index < 6; index++) {
      const url = (await startChat(sluice.url, `answer ${index}`)).url;
      const read = await readStream(url);
      expect(JSON.parse(read.events.at(-1)?.data ?? "{}").finish_reason).toBe("length");
      urls.push(url);
    }
    const statuses = await Promise.all(
      urls.map(async (url) => {
        const response = await fetch(url);
        await response.body?.cancel();
        return response.status;
      }),
    );
    expect(statuses).toEqual([404, 404, 404, 200, 200, 200]);
    const expired = await fetch(`${sluice.url}/api/streams/00000000-0000-0000-0000-000000000000`);
    const evicted = await fetch(urls[0] as string);
    expect(await evicted.json()).toEqual(await expired.json());
  } finally {
    upstream.stop();
  }
}, 60_000);

test("one 10 MB upstream chunk is cut to the byte budget, and the server lives on", async () => {
  const upstream = startFakeModel({ models: ["big"], tokens: ["x".repeat(10 * 1024 * 1024)] });
  try {
    const sluice = await app({
      UPSTREAM_BASE_URL: upstream.baseUrl,
      MODEL: "big",
      MAX_GENERATION_BYTES: "1048576",
    });
    const read = await readStream((await startChat(sluice.url, "big")).url, { timeoutMs: 30_000 });
    expect(JSON.parse(read.events.at(-1)?.data ?? "{}").finish_reason).toBe("length");
    expect(Buffer.byteLength(answerText(read.events))).toBe(1048576);
    expect((await fetch(`${sluice.url}/healthz`)).status).toBe(200);
  } finally {
    upstream.stop();
  }
}, 60_000);
