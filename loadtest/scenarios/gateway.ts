/**
 * gateway — the same streamed chat completions as `direct`, through nginx and Sluice's
 * OpenAI-compatible /v1/chat/completions pass-through to the same simulator.
 *
 *   SLUICE_URL=http://127.0.0.1:8080 VUS=100 DURATION_S=30 bun loadtest/run.ts gateway
 */
import { completionScenario } from "../lib/completion-scenario.ts";

// SLUICE_URL: Sluice behind nginx; see the lib for the other settings
const scenario = completionScenario("SLUICE_URL", "http://127.0.0.1:8080");

export const { settings, options } = scenario;
export default scenario.default;
