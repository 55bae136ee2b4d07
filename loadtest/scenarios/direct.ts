/**
 * direct — the baseline: streamed chat completions straight from the simulator's
 * /v1/chat/completions, with nothing in between. Compare with `gateway`.
 *
 *   SIM_URL=http://127.0.0.1:3001 VUS=100 DURATION_S=30 bun loadtest/run.ts direct
 */
import { completionScenario } from "../lib/completion-scenario.ts";

// SIM_URL: the simulator (standalone, or `<app's internal listener>/sim` when embedded); see the lib for the other settings
const scenario = completionScenario("SIM_URL", "http://127.0.0.1:3001");

export const { settings, options } = scenario;
export default scenario.default;
