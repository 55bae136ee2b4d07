/**
 * What the simulator says reached the model: its counters and the cancellations it saw
 * (GET /sim/stats), for checks on the far side of a disconnect or a Stop.
 */
import type { SimulatorStats } from "../../src/simulator/stats.ts";
import { expectStatus } from "./api.ts";

export type { SimulatorStats as SimStats };

/** GET /sim/stats at the simulator's origin (standalone, or the app's internal listener when embedded). */
export async function fetchSimStats(simUrl: string): Promise<SimulatorStats> {
  const response = await fetch(`${new URL(simUrl).origin}/sim/stats`, { signal: AbortSignal.timeout(10_000) });
  await expectStatus(response, 200, "GET /sim/stats");
  return (await response.json()) as SimulatorStats;
}
