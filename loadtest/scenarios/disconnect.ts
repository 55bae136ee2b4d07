/**
 * disconnect — clients that close the SSE connection after LEAVE_AFTER tokens and never return.
 * Once the cancel grace has passed, the simulator must have seen exactly that many aborted
 * requests (GET /sim/stats `cancelled`, and each left stream's id among its `cancellations`), and
 * Sluice must count them in sluice_upstream_cancelled_total{reason="disconnect"}.
 *
 *   SLUICE_URL=http://127.0.0.1:8080 SIM_URL=http://127.0.0.1:3001 CANCEL_GRACE_MS=5000 bun loadtest/run.ts disconnect
 */

import { fetchCounter } from "../../harness/client/metrics.ts";
import { pollUntil } from "../../harness/client/poll.ts";
import { simMessages } from "../../harness/client/sim-prompt.ts";
import { fetchSimStats, type SimStats } from "../../harness/client/sim-stats.ts";
import { epochMs } from "../../harness/measure/epoch.ts";
import { directivesOf, pacingSettings } from "../lib/answer-settings.ts";
import { readChatStream, startChat } from "../lib/chat-stream.ts";
import { LoadError } from "../lib/errors.ts";
import { Counter, Rate, Trend } from "../lib/metrics.ts";
import type { IterationContext, ScenarioOptions } from "../lib/scenario.ts";
import { simUrlSetting, sluiceUrlSetting } from "../lib/server-urls.ts";
import { numberSetting, textSetting } from "../lib/settings.ts";

const SLUICE_URL = sluiceUrlSetting();
const SIM_URL = simUrlSetting();
// Sluice's Prometheus endpoint, on the app's internal listener (METRICS_PORT; the native stack's
// default below); "off" skips the Sluice-side count
const METRICS_URL = textSetting("METRICS_URL", "http://127.0.0.1:9464/metrics");
// Clients that leave, all at once
const CLIENTS = numberSetting("CLIENTS", 50);
// Each client closes its connection after this many tokens
const LEAVE_AFTER = numberSetting("LEAVE_AFTER", 5);
// Answers of 200 tokens at 20/s: many more than LEAVE_AFTER, so the answer is still streaming when the client leaves
const pacing = pacingSettings({ tokens: 200, ttftMs: 100, tps: 20 });
const { TOKENS, SIM_TPS } = pacing;
// The app's CANCEL_GRACE_MS: how long Sluice waits for the client to come back before it aborts upstream
const CANCEL_GRACE_MS = numberSetting("CANCEL_GRACE_MS", 5000);
// Allowance on top of the grace for the abort to reach the simulator, ms
const SETTLE_MS = numberSetting("SETTLE_MS", 2000);

export const settings = {
  SLUICE_URL,
  SIM_URL,
  METRICS_URL,
  CLIENTS,
  LEAVE_AFTER,
  TOKENS,
  SIM_TPS,
  CANCEL_GRACE_MS,
  SETTLE_MS,
};

export const options: ScenarioOptions = {
  executor: { type: "per-vu-iterations", vus: CLIENTS, iterations: 1, maxDurationS: 60, gracefulStopS: 5 },
  thresholds: {
    sluice_errors: ["count==0"],
    sluice_clients_left: [`count==${CLIENTS}`],
    sluice_disconnect_aborted: ["rate==1"],
    sluice_cancel_counts_match: ["rate==1"],
    sluice_leave_to_abort: [`max<${CANCEL_GRACE_MS + SETTLE_MS}`],
  },
  iterationTimeoutMs: 60_000,
};

const clientsLeft = new Counter("sluice_clients_left");
/** Per client that left: the simulator saw its request (x-request-id = stream id) aborted. */
const aborted = new Rate("sluice_disconnect_aborted");
/** Simulator `cancelled` delta and Sluice's disconnect counter delta both equal the clients that left. */
const countsMatch = new Rate("sluice_cancel_counts_match");
/** From the client closing its connection to the simulator seeing the abort (≈ the grace), ms. */
const leaveToAbort = new Trend("sluice_leave_to_abort");
const simCancelled = new Counter("sluice_sim_cancelled");
const sluiceCancelled = new Counter("sluice_upstream_cancelled_disconnect");

interface Data {
  simBefore: number;
  sluiceBefore: number;
  left: Map<string, number>;
}

const disconnectCounter = () =>
  METRICS_URL === "off"
    ? Promise.resolve(0)
    : fetchCounter(METRICS_URL, "sluice_upstream_cancelled_total", { reason: "disconnect" });

export async function setup(): Promise<Data> {
  const [stats, sluice] = await Promise.all([fetchSimStats(SIM_URL), disconnectCounter()]);
  return { simBefore: stats.cancelled, sluiceBefore: sluice, left: new Map() };
}

export default async function ({ vu, data, signal }: IterationContext<Data>): Promise<void> {
  const messages = simMessages(directivesOf(pacing), `Client ${vu} will leave early.`);
  const { streamId, streamUrl } = await startChat(SLUICE_URL, messages, signal);
  const reading = await readChatStream(`${SLUICE_URL}${streamUrl}`, { signal, leaveAfterTokens: LEAVE_AFTER });
  if (reading.end !== "left")
    throw new LoadError("did_not_leave", `stream ended (${reading.end}) before ${LEAVE_AFTER} tokens`);
  data.left.set(streamId, epochMs());
  clientsLeft.add(1);
}

export async function teardown(data: Data): Promise<void> {
  const seenAll = (stats: SimStats) => {
    const ids = new Set(stats.cancellations.map((entry) => entry.request_id));
    return [...data.left.keys()].every((id) => ids.has(id)) && stats.cancelled - data.simBefore >= data.left.size;
  };
  const stats = await pollUntil(() => fetchSimStats(SIM_URL), seenAll, CANCEL_GRACE_MS + SETTLE_MS, 200);
  const seen = new Map(stats.cancellations.map((entry) => [entry.request_id, entry.seen_at_ms]));
  for (const [id, leftAt] of data.left) {
    const seenAt = seen.get(id);
    aborted.add(seenAt !== undefined);
    if (seenAt !== undefined) leaveToAbort.add(seenAt - leftAt);
  }
  const simDelta = stats.cancelled - data.simBefore;
  const sluiceDelta = (await disconnectCounter()) - data.sluiceBefore;
  simCancelled.add(simDelta);
  sluiceCancelled.add(sluiceDelta);
  const sluiceOk = METRICS_URL === "off" || sluiceDelta === data.left.size;
  countsMatch.add(simDelta === data.left.size && sluiceOk);
  console.error(`left=${data.left.size} sim cancelled +${simDelta} sluice disconnect cancels +${sluiceDelta}`);
}
