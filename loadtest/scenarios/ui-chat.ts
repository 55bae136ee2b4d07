/**
 * ui-chat — the same users, prompts and pacing as `gateway`, as an AI SDK app (`useChat`) sends
 * them: `POST /api/chat` with the SDK's body through nginx, answered in the UI message stream.
 * Each request is a new chat, so each answer is also a new conversation, stored as it runs.
 *
 *   SLUICE_URL=http://127.0.0.1:8080 VUS=100 DURATION_S=30 bun loadtest/run.ts ui-chat
 */
import { completionScenario } from "../lib/completion-scenario.ts";
import { streamUiChat } from "../lib/dialect-streams.ts";

// SLUICE_URL: Sluice behind nginx; see the lib for the other settings
const scenario = completionScenario("SLUICE_URL", "http://127.0.0.1:8080", streamUiChat);

export const { settings, options } = scenario;
export default scenario.default;
