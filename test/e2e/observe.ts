/**
 * What the e2e tests read besides the stream itself: the simulator's counters, the app's
 * Prometheus metrics, nginx's JSON access log; and a bounded wait for one of them to change.
 */
import { existsSync, readFileSync } from "node:fs";

export interface SimulatorStats {
  started: number;
  completed: number;
  cancelled: number;
  active: number;
  failed: number;
  cancellations: { request_id: string; seen_at_ms: number; tokens_sent: number }[];
}

/** GET /sim/stats of the standalone simulator. */
export async function simulatorStats(simulatorUrl: string): Promise<SimulatorStats> {
  const response = await fetch(`${simulatorUrl}/sim/stats`, { signal: AbortSignal.timeout(5_000) });
  return (await response.json()) as SimulatorStats;
}

/** The value of one sample of the app's /metrics, e.g. `sluice_upstream_cancelled_total{reason="disconnect"}`. */
export async function metricValue(metricsUrl: string, sample: string): Promise<number> {
  const text = await (await fetch(`${metricsUrl}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${sample} `));
  if (!line) throw new Error(`no sample ${sample} in /metrics`);
  return Number(line.slice(sample.length + 1));
}

export interface AccessLogEntry {
  request_id: string;
  method: string;
  path: string;
  status: number;
  request_time: number;
  upstream_response_time: string;
  bytes_sent: number;
}

/** nginx's access log so far, one JSON object per finished request. */
export function accessLog(path: string): AccessLogEntry[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AccessLogEntry);
}

/** Polls `probe` until it returns something other than undefined; throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
) {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await Bun.sleep(50);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Wall-clock milliseconds, comparable with the simulator's `seen_at_ms`. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
