/**
 * The relay measurement: warm the app up, take its idle memory, then open every stream at once
 * and measure what relaying them cost the app (CPU per token, by thread too; RSS and JS heap per
 * open stream on the plateau) and what the viewers saw (TTFT, errors, reads per token).
 */

import { fetchCounter } from "../../harness/client/metrics.ts";
import { median, percentileOf } from "../../harness/measure/percentile.ts";
import {
  type CpuTime,
  cpuByThread,
  cpuByThreadSince,
  cpuTime,
  cpuTimeSince,
  rssBytes,
} from "../../harness/measure/proc.ts";
import { internalUrlOf, type Service } from "../../harness/stack/services.ts";
import { openStreamCount } from "../lib/stream-metrics.ts";
import type { RelaySettings } from "./settings.ts";
import { relayPrompt, runViewers, type Viewer } from "./viewers.ts";

// Warm-up: enough streams for the JIT, few enough not to pre-grow the heap to the plateau's size.
export const WARM_UP_STREAMS = 100;
/** The app's STREAM_RETENTION_MS: the warm-up's generations must be gone before the idle figures. */
export const RETENTION_MS = 1_000;
export const SAMPLE_EVERY_MS = 200;

export interface Idle {
  rssBytes: number;
  heapBytes: number;
}

export interface RelayFigures {
  tokens: number;
  appCpu: CpuTime;
  /** App CPU µs by thread name; threads that ended during the run are missing. */
  appThreads: Map<string, number>;
  simulatorCpu: CpuTime | undefined;
  /** With --remote: the CPU of the instance that ran the model calls (the measured app only relayed). */
  ownerCpu: CpuTime | undefined;
  rssPerStream: number;
  heapPerStream: number;
  plateauSamples: number;
  ttftP50: number;
  ttftP99: number;
  errors: number;
  /** Body reads per relayed token here; well below 1 means this process (or the app) fell behind. */
  readsPerToken: number;
  wallMs: number;
}

// The app's metrics are on its internal listener (METRICS_PORT), never its public port.
const appMetric = (app: Service, name: string) => fetchCounter(`${internalUrlOf(app.process.output())}/metrics`, name);
const HEAP = "sluice_nodejs_heap_size_used_bytes";

/** The most streams the app must admit: the measurement's, twice over, and the warm-up's. */
export function admissionLimit(settings: RelaySettings): number {
  return settings.streams * 2 + WARM_UP_STREAMS;
}

/** Two rounds of quick streams, then the app's idle RSS (median) and heap (lowest) once they are gone. */
export async function warmUpAndIdle(app: Service): Promise<Idle> {
  for (let round = 0; round < 2; round++) {
    await runViewers(app.url, WARM_UP_STREAMS, (i) => relayPrompt(-i, 50, 1000, 0), 60_000).finished;
  }
  await Bun.sleep(RETENTION_MS + 1_000);
  const rss: number[] = [];
  const heap: number[] = [];
  for (let sample = 0; sample < 5; sample++) {
    rss.push(rssBytes(app.process.pid));
    heap.push(await appMetric(app, HEAP));
    await Bun.sleep(SAMPLE_EVERY_MS);
  }
  return { rssBytes: median(rss), heapBytes: Math.min(...heap) };
}

/**
 * Samples RSS (every tick) and the JS heap (every 10th tick) while all `streams` are open. A
 * /metrics scrape is not free for the app, so the heap is sampled rarely, to keep scrapes out of
 * the CPU per token.
 */
function samplePlateau(app: Service, streams: number) {
  const rss: number[] = [];
  const heap: number[] = [];
  let tick = 0;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy || openStreamCount() < streams) return;
    busy = true;
    rss.push(rssBytes(app.process.pid));
    if (tick++ % 10 === 0) heap.push(await appMetric(app, HEAP));
    busy = false;
  }, SAMPLE_EVERY_MS);
  return { rss, heap, stop: () => clearInterval(timer) };
}

function viewerFigures(viewers: Viewer[], relayed: number) {
  const ttfts = viewers.flatMap((viewer) => (viewer.ttftMs === undefined ? [] : [viewer.ttftMs]));
  return {
    ttftP50: percentileOf(ttfts, 50),
    ttftP99: percentileOf(ttfts, 99),
    errors: viewers.filter((viewer) => viewer.failure || viewer.outcome?.startsWith("error")).length,
    readsPerToken: viewers.reduce((sum, viewer) => sum + viewer.reads, 0) / relayed,
  };
}

/**
 * Opens every stream at once, reads them to the end, and measures the app around it. With an
 * `owner`, the chats start there and are watched on `app` (through Redis).
 */
export async function measureRelay(
  settings: RelaySettings,
  app: Service,
  simulator: Service | undefined,
  idle: Idle,
  owner?: Service,
): Promise<RelayFigures> {
  const { streams, tokens, tps, ttftMs } = settings;
  const tokensBefore = await appMetric(owner ?? app, "sluice_tokens_total");
  const ownerBefore = owner && cpuTime(owner.process.pid);
  const appBefore = cpuTime(app.process.pid);
  const threadsBefore = cpuByThread(app.process.pid);
  const simulatorBefore = simulator && cpuTime(simulator.process.pid);
  const startedAt = performance.now();
  const timeoutMs = (ttftMs + (tokens * 1000) / tps) * 3 + 30_000;
  const prompt = (i: number) => relayPrompt(i, tokens, tps, ttftMs);
  const run = runViewers(owner?.url ?? app.url, streams, prompt, timeoutMs, app.url);
  const plateau = samplePlateau(app, streams);
  await run.finished;
  plateau.stop();
  reportFailures(run.viewers);
  const wallMs = performance.now() - startedAt;
  const appCpu = cpuTimeSince(app.process.pid, appBefore);
  const appThreads = cpuByThreadSince(app.process.pid, threadsBefore);
  const simulatorCpu = simulator && simulatorBefore && cpuTimeSince(simulator.process.pid, simulatorBefore);
  const relayed = (await appMetric(owner ?? app, "sluice_tokens_total")) - tokensBefore;
  return {
    tokens: relayed,
    appCpu,
    ownerCpu: owner && ownerBefore && cpuTimeSince(owner.process.pid, ownerBefore),
    appThreads,
    simulatorCpu,
    rssPerStream: (median(plateau.rss) - idle.rssBytes) / streams,
    // The lowest sample is the closest to the live heap: the others hold garbage not yet collected.
    heapPerStream: (Math.min(...plateau.heap) - idle.heapBytes) / streams,
    plateauSamples: plateau.rss.length,
    ...viewerFigures(run.viewers, relayed),
    wallMs,
  };
}

/** Prints how the failed viewers failed, most common first, so a run with errors says why. */
function reportFailures(viewers: Viewer[]): void {
  const reasons = new Map<string, number>();
  for (const viewer of viewers) {
    const reason = viewer.failure ?? (viewer.outcome?.startsWith("error") ? viewer.outcome : undefined);
    if (reason) reasons.set(reason.slice(0, 160), (reasons.get(reason.slice(0, 160)) ?? 0) + 1);
  }
  for (const [reason, count] of [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 5))
    console.error(`  ${count} viewer(s) failed: ${reason}`);
}
