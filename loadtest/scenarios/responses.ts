/**
 * responses — the same users, prompts and pacing as `gateway`, through nginx and Sluice's
 * Responses API (`POST /v1/responses`, streamed): each answer a generation, framed as typed
 * events with sequence numbers. Compare with `gateway` (the chat completions pass-through).
 *
 *   SLUICE_URL=http://127.0.0.1:8080 VUS=100 DURATION_S=30 bun loadtest/run.ts responses
 *   STORE=true …  each response stored as a conversation, as OpenAI's default does
 */
import { completionScenario } from "../lib/completion-scenario.ts";
import { streamResponse } from "../lib/dialect-streams.ts";
import { textSetting } from "../lib/settings.ts";

// Store each response in a conversation (`true`, OpenAI's default), or not (`false`: like `gateway`, nothing stored)
const STORE = textSetting("STORE", "false") === "true";

// SLUICE_URL: Sluice behind nginx; see the lib for the other settings
const scenario = completionScenario(
  "SLUICE_URL",
  "http://127.0.0.1:8080",
  (base, body, signal) => streamResponse(base, { ...body, store: STORE }, signal),
  { STORE },
);

export const { settings, options } = scenario;
export default scenario.default;
