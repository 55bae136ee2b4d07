/**
 * stop — users who press Stop (DELETE /api/streams/:id) after STOP_AFTER tokens: every stream
 * must end with `done` finish_reason "cancelled", and the simulator must see each request aborted.
 * sluice_stop_to_abort is the time from sending the DELETE to the simulator seeing the abort
 * (its /sim/stats `seen_at_ms`; Sluice forwards the stream id as the upstream `x-request-id`).
 *
 *   SLUICE_URL=http://127.0.0.1:8080 SIM_URL=http://127.0.0.1:3001 CLIENTS=100 bun loadtest/run.ts stop
 */

import { expectStatus } from "../../harness/client/api.ts";
import { pollUntil } from "../../harness/client/poll.ts";
import { simMessages } from "../../harness/client/sim-prompt.ts";
import { fetchSimStats, type SimStats } from "../../harness/client/sim-stats.ts";
import { epochMs } from "../../harness/measure/epoch.ts";
import { directivesOf, pacingSettings } from "../lib/answer-settings.ts";
import { expectDone, readChatStream, startChat } from "../lib/chat-stream.ts";
import { LoadError } from "../lib/errors.ts";
import { Rate, Trend } from "../lib/metrics.ts";
import type { IterationContext, ScenarioOptions } from "../lib/scenario.ts";
import { simUrlSetting, sluiceUrlSetting } from "../lib/server-urls.ts";
import { numberSetting } from "../lib/settings.ts";

const SLUICE_URL = sluiceUrlSetting();
const SIM_URL = simUrlSetting();
// Users, all at once
const CLIENTS = numberSetting("CLIENTS", 50);
// Each user presses Stop after this many tokens
const STOP_AFTER = numberSetting("STOP_AFTER", 3);
// Answers of 200 tokens at 20/s: many more than STOP_AFTER, so the answer is still streaming at Stop
const pacing = pacingSettings({ tokens: 200, ttftMs: 100, tps: 20 });
// Threshold: p(99) from DELETE to the simulator seeing the abort, ms
const THRESHOLD_STOP_P99_MS = numberSetting("THRESHOLD_STOP_P99_MS", 1000);

export const settings = { SLUICE_URL, SIM_URL, CLIENTS, STOP_AFTER, ...pacing };

export const options: ScenarioOptions = {
  executor: { type: "per-vu-iterations", vus: CLIENTS, iterations: 1, maxDurationS: 60, gracefulStopS: 5 },
  thresholds: {
    sluice_errors: ["count==0"],
    sluice_stop_cancelled: ["rate==1"],
    sluice_stop_aborted: ["rate==1"],
    sluice_stop_to_abort: [`p(99)<${THRESHOLD_STOP_P99_MS}`],
  },
  iterationTimeoutMs: 60_000,
};

/** The stream ended with `done` finish_reason "cancelled" after Stop. */
const cancelled = new Rate("sluice_stop_cancelled");
/** The simulator saw the request of the stopped stream aborted. */
const abortedUpstream = new Rate("sluice_stop_aborted");
/** From sending DELETE to the simulator seeing the abort, ms (epoch clocks of one machine). */
const stopToAbort = new Trend("sluice_stop_to_abort");
/** From sending DELETE to the `done` event on the open stream, ms. */
const stopToDone = new Trend("sluice_stop_to_done");

/** Stream id → epoch ms when its DELETE was sent. */
type Data = Map<string, number>;

export async function setup(): Promise<Data> {
  await fetchSimStats(SIM_URL);
  return new Map();
}

/** Presses Stop: DELETE the stream, expecting 200, 202 or 204. */
async function pressStop(url: string, signal: AbortSignal): Promise<void> {
  const response = await fetch(url, { method: "DELETE", signal });
  if (response.status !== 200 && response.status !== 202) await expectStatus(response, 204, "DELETE /api/streams/:id");
  await response.body?.cancel();
}

export default async function ({ vu, data, signal }: IterationContext<Data>): Promise<void> {
  const messages = simMessages(directivesOf(pacing), `User ${vu} will press Stop.`);
  const { streamId, streamUrl } = await startChat(SLUICE_URL, messages, signal);
  const url = `${SLUICE_URL}${streamUrl}`;
  let sentAt = 0;
  // Settles to the failure (if any) so a failed DELETE is not an unhandled rejection meanwhile.
  let stopped: Promise<unknown> | undefined;
  // The stream stays open while Stop is sent, so its `done` is read live, as the browser does.
  const reading = await readChatStream(url, {
    signal,
    onToken(_token, count) {
      if (count !== STOP_AFTER) return;
      sentAt = performance.now();
      data.set(streamId, epochMs());
      stopped = pressStop(url, signal).then(
        () => undefined,
        (error: unknown) => error,
      );
    },
  });
  if (!stopped) throw new LoadError("did_not_stop", `stream ended (${reading.end}) before ${STOP_AFTER} tokens`);
  const failure = await stopped;
  if (failure) throw failure;
  const done = expectDone(reading);
  stopToDone.add((reading.endedAt ?? performance.now()) - sentAt);
  cancelled.add(done.finish_reason === "cancelled");
}

export async function teardown(data: Data): Promise<void> {
  const seenAll = (stats: SimStats) => {
    const ids = new Set(stats.cancellations.map((entry) => entry.request_id));
    return [...data.keys()].every((id) => ids.has(id));
  };
  const stats = await pollUntil(() => fetchSimStats(SIM_URL), seenAll, 5_000, 200);
  const seen = new Map(stats.cancellations.map((entry) => [entry.request_id, entry.seen_at_ms]));
  for (const [id, sentAt] of data) {
    const seenAt = seen.get(id);
    abortedUpstream.add(seenAt !== undefined);
    if (seenAt !== undefined) stopToAbort.add(seenAt - sentAt);
  }
}
