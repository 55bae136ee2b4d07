/**
 * The shape shared by `chat`, `direct` and `gateway`: a fixed number of users, each with one
 * request in flight, back to back for a while, each answer brisk; the run passes with no error,
 * every token delivered and enough answers within the goodput targets.
 */
import { answerSettings, answerThresholds } from "./answer-settings.ts";
import type { ScenarioOptions } from "./scenario.ts";
import { numberSetting } from "./settings.ts";

/** Reads the users' settings from the environment; `settings` is what the summary echoes. */
export function chattingUsers() {
  // Concurrent users, each with one request in flight
  const VUS = numberSetting("VUS", 10);
  // Seconds over which the users join (0: all at once)
  const RAMP_S = numberSetting("RAMP_S", 0);
  // Seconds all users keep sending after the ramp
  const DURATION_S = numberSetting("DURATION_S", 30);
  const answer = answerSettings();
  // Threshold: at least this share of requests must meet both goodput targets
  const THRESHOLD_GOODPUT = numberSetting("THRESHOLD_GOODPUT", 0.9);
  // One request is abandoned (error `timeout`) after this many ms
  const ITERATION_TIMEOUT_MS = numberSetting("ITERATION_TIMEOUT_MS", 60_000);
  const options: ScenarioOptions = {
    executor: {
      type: "ramping-vus",
      stages: [
        { durationS: RAMP_S, target: VUS },
        { durationS: DURATION_S, target: VUS },
      ],
      gracefulStopS: 30,
    },
    thresholds: answerThresholds(THRESHOLD_GOODPUT),
    iterationTimeoutMs: ITERATION_TIMEOUT_MS,
  };
  return { answer, options, settings: { VUS, RAMP_S, DURATION_S, ...answer } };
}
