/**
 * chat — a fixed number of users, each chatting back to back through Sluice's own protocol
 * (POST /api/chat, then the SSE stream to `done`): latency at a given concurrency.
 *
 *   SLUICE_URL=http://127.0.0.1:8080 VUS=100 DURATION_S=30 bun loadtest/run.ts chat
 */

import { chatExchange } from "../lib/chat-exchange.ts";
import { chattingUsers } from "../lib/chatting-users.ts";
import type { IterationContext } from "../lib/scenario.ts";
import { sluiceUrlSetting } from "../lib/server-urls.ts";

const SLUICE_URL = sluiceUrlSetting();
// VUS, RAMP_S, DURATION_S, the answer's shape, THRESHOLD_GOODPUT, ITERATION_TIMEOUT_MS: see the lib
const users = chattingUsers();

export const settings = { SLUICE_URL, ...users.settings };
export const options = users.options;

export default async function ({ vu, iteration, signal }: IterationContext): Promise<void> {
  await chatExchange({
    baseUrl: SLUICE_URL,
    answer: users.answer,
    prompt: `User ${vu}, chat ${iteration}: tell me about rivers.`,
    signal,
  });
}
