/**
 * What the servers say they did, for scenarios that check the far side of a disconnect or a
 * Stop: the simulator's GET /sim/stats and one counter of Sluice's Prometheus /metrics.
 */
import { expectStatus } from "./errors.ts";

export interface Cancellation {
  /** The `x-request-id` the simulator received (Sluice sends its stream id). */
  request_id: string | null;
  /** Epoch ms (fractional) when the simulator saw the abort. */
  seen_at_ms: number;
  tokens_sent: number;
}

export interface SimStats {
  started: number;
  completed: number;
  cancelled: number;
  active: number;
  failed: number;
  cancellations: Cancellation[];
}

/** GET /sim/stats at the simulator's origin (standalone, or the app's internal listener when embedded). */
export async function fetchSimStats(simUrl: string): Promise<SimStats> {
  const response = await fetch(`${new URL(simUrl).origin}/sim/stats`, { signal: AbortSignal.timeout(10_000) });
  await expectStatus(response, 200, "GET /sim/stats");
  return (await response.json()) as SimStats;
}

/** The sum of every sample of `name` whose labels include `labels` (0 when absent). */
export function prometheusSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name) || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const labelText = match[2] ?? "";
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) {
      sum += Number(match[3]);
    }
  }
  return sum;
}

/** Reads one counter from a Prometheus text endpoint. */
export async function fetchCounter(
  metricsUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(10_000) });
  await expectStatus(response, 200, `GET ${metricsUrl}`);
  return prometheusSum(await response.text(), name, labels);
}

/** Polls `read` every 200 ms until `done(value)` or `timeoutMs`; returns the last value read. */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || performance.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
