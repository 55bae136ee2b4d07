/**
 * Stop latency under load: opens many long streams, stops each once its tokens flow, and times
 * DELETE sent → the simulator saw the abort (its /sim/stats `seen_at_ms` for the stream's
 * `x-request-id`; one machine, one clock).
 */

import { fetchSimStats, type SimStats } from "../../harness/client/sim-stats.ts";
import { epochMs } from "../../harness/measure/epoch.ts";
import { percentileOf } from "../../harness/measure/percentile.ts";
import type { Service } from "../../harness/stack/services.ts";
import type { RelaySettings } from "./settings.ts";
import { relayPrompt, runViewers, type Viewer } from "./viewers.ts";

// Stop requests are spread out so the latency measured is Stop's, not a queue of 200 DELETEs.
const STOP_SPACING_MS = 5;

export interface StopFigures {
  p50: number;
  p99: number;
  matched: number;
  errors: number;
}

/** DELETEs every started stream, STOP_SPACING_MS apart; returns when each was sent (epoch ms). */
async function stopAll(appUrl: string, viewers: Viewer[]): Promise<Map<string, number>> {
  const sentAt = new Map<string, number>();
  const deletes: Promise<unknown>[] = [];
  for (const viewer of viewers) {
    if (!viewer.streamId) continue;
    sentAt.set(viewer.streamId, epochMs());
    deletes.push(fetch(`${appUrl}/api/streams/${viewer.streamId}`, { method: "DELETE" }).then((r) => r.text()));
    await Bun.sleep(STOP_SPACING_MS);
  }
  await Promise.all(deletes);
  return sentAt;
}

/** The simulator's cancellations, or none (with a warning) when its stats cannot be read. */
async function cancellations(statsUrl: string): Promise<SimStats["cancellations"]> {
  try {
    return (await fetchSimStats(statsUrl)).cancellations;
  } catch (error) {
    console.warn(`${String(error)}: no Stop latency`);
    return [];
  }
}

/** Opens `settings.stops` long streams, stops each once its tokens flow, and times Stop → abort. */
export async function measureStop(settings: RelaySettings, app: Service, statsUrl: string): Promise<StopFigures> {
  await fetch(`${new URL(statsUrl).origin}/sim/stats/reset`, { method: "POST" });
  const run = runViewers(app.url, settings.stops, (i) => relayPrompt(i, 10_000, settings.tps, 0), 120_000);
  await Promise.race([Promise.all(run.viewers.map((viewer) => viewer.firstToken.promise)), Bun.sleep(30_000)]);
  const sentAt = await stopAll(app.url, run.viewers);
  await run.finished;
  await Bun.sleep(500);
  const latencies = (await cancellations(statsUrl)).flatMap((record) => {
    const sent = sentAt.get(record.request_id ?? "");
    return sent === undefined ? [] : [record.seen_at_ms - sent];
  });
  const errors = run.viewers.filter((viewer) => viewer.failure || viewer.outcome !== "cancelled").length;
  return { p50: percentileOf(latencies, 50), p99: percentileOf(latencies, 99), matched: latencies.length, errors };
}
