/**
 * tools — users whose answers call the operator's MCP tools: each answer runs STEPS rounds of one
 * call to the `fast` tool (the test tool server, harness/tool-server.ts, declared in the app's
 * MCP_SERVERS_FILE as TOOL_SERVER), then writes its text. Each round is a model call, an MCP call
 * and the events of both, so what a round costs shows against a run with STEPS=0 (the same
 * answers without tools): the app's CPU per answer (its Prometheus process counters, METRICS_URL)
 * and, per step, the time from the call's event to its result's (sluice_tool_call) and from the
 * result to the next model call's first event (sluice_tool_next_turn).
 *
 *   bun harness/tool-server-main.ts                   # prints its URL; declare it as "tests"
 *   SLUICE_URL=http://127.0.0.1:8080 STEPS=3 VUS=20 DURATION_S=20 bun loadtest/run.ts tools
 */

import { startChat } from "../../harness/client/chat.ts";
import { createConversation } from "../../harness/client/conversations.ts";
import { fetchCounter } from "../../harness/client/metrics.ts";
import { expectDone, readChatStream } from "../lib/chat-stream.ts";
import { LoadError } from "../lib/errors.ts";
import { Counter, Rate, Trend } from "../lib/metrics.ts";
import type { IterationContext, ScenarioOptions } from "../lib/scenario.ts";
import { sluiceUrlSetting } from "../lib/server-urls.ts";
import { numberSetting, textSetting } from "../lib/settings.ts";

const SLUICE_URL = sluiceUrlSetting();
// The app's Prometheus endpoint (its internal listener), for its CPU; "off" skips it
const METRICS_URL = textSetting("METRICS_URL", "http://127.0.0.1:9464/metrics");
// Concurrent users, each with one answer in flight
const VUS = numberSetting("VUS", 10);
// Seconds the users keep asking
const DURATION_S = numberSetting("DURATION_S", 20);
// Rounds of tool calls per answer (0: the same answers without tools, the baseline)
const STEPS = numberSetting("STEPS", 3);
// The server's name in MCP_SERVERS_FILE: the tool is offered as <TOOL_SERVER>__fast
const TOOL_SERVER = textSetting("TOOL_SERVER", "tests");
// Tokens of each answer's text, after its tool calls
const TOKENS = numberSetting("TOKENS", 32);
// Threshold: p(95) from a call's event to its result's, ms
const THRESHOLD_TOOL_CALL_P95_MS = numberSetting("THRESHOLD_TOOL_CALL_P95_MS", 500);

export const settings = { SLUICE_URL, METRICS_URL, VUS, DURATION_S, STEPS, TOOL_SERVER, TOKENS };

export const options: ScenarioOptions = {
  executor: { type: "ramping-vus", stages: [{ durationS: DURATION_S, target: VUS }], gracefulStopS: 30 },
  thresholds: {
    sluice_errors: ["count==0"],
    sluice_tool_answers_complete: ["rate==1"],
    ...(STEPS > 0 ? { sluice_tool_call: [`p(95)<${THRESHOLD_TOOL_CALL_P95_MS}`] } : {}),
  },
  iterationTimeoutMs: 60_000,
};

/** Tool steps completed (a result received). */
const steps = new Counter("sluice_tool_steps");
/** Answers that ended `done` with every step's result ok and their text. */
const complete = new Rate("sluice_tool_answers_complete");
/** From a call's `tool_call` event to its `tool_result`, ms: the MCP call and its events. */
const toolCall = new Trend("sluice_tool_call");
/** From a result to the next event (the next model call's first), ms. */
const nextTurn = new Trend("sluice_tool_next_turn");
/** The whole answer, from POST to `done`, ms. */
const answerTime = new Trend("sluice_tool_answer");
/** The app's CPU (user + system) over the run, divided by the answers it gave, ms. */
const cpuPerAnswer = new Trend("sluice_app_cpu_per_answer");
/** The same, divided by the tool steps (STEPS > 0). */
const cpuPerStep = new Trend("sluice_app_cpu_per_step");
// Counted here too, for the CPU division at the end.
let answered = 0;
let stepped = 0;

const cpuSeconds = () => fetchCounter(METRICS_URL, "sluice_process_cpu_seconds_total");

export async function setup(): Promise<number> {
  return METRICS_URL === "off" ? 0 : cpuSeconds();
}

/** One answer's question: STEPS rounds of `fast`, then TOKENS tokens, quickly paced. */
function question(vu: number, iteration: number): string {
  const args = encodeURIComponent(JSON.stringify({ text: `vu ${vu} answer ${iteration}` }));
  const calls = STEPS > 0 ? ` call=${TOOL_SERVER}__fast:${args} tool_rounds=${STEPS}` : "";
  return `/sim ttft_ms=20 tps=1000 tokens=${TOKENS}${calls}\nLook it up, user ${vu}.`;
}

export default async function ({ vu, iteration, signal }: IterationContext): Promise<void> {
  const startedAt = performance.now();
  const conversationId = await createConversation(SLUICE_URL, { signal });
  const { streamUrl } = await startChat(SLUICE_URL, question(vu, iteration), { conversationId, signal });
  const called = new Map<string, number>();
  let resultAt: number | undefined;
  let failed = 0;
  const afterResult = (at: number) => {
    if (resultAt !== undefined) nextTurn.add(at - resultAt);
    resultAt = undefined;
  };
  const reading = await readChatStream(`${SLUICE_URL}${streamUrl}`, {
    signal,
    onToken: (token) => afterResult(token.at),
    onOther: ({ event, data, at }) => {
      if (event === "tool_call") afterResult(at);
      const step = JSON.parse(data) as { call_id: string; error?: unknown };
      if (event === "tool_call") called.set(step.call_id, at);
      if (event !== "tool_result") return;
      toolCall.add(at - (called.get(step.call_id) ?? at));
      steps.add(1);
      stepped++;
      if (step.error) failed++;
      resultAt = at;
    },
  });
  const done = expectDone(reading);
  answerTime.add(performance.now() - startedAt);
  answered++;
  const whole = called.size === STEPS && failed === 0 && done.finish_reason === "stop" && reading.tokens.length > 0;
  complete.add(whole);
  if (!whole)
    throw new LoadError("incomplete_tool_answer", `${called.size} calls, ${failed} failed, ${done.finish_reason}`);
}

export async function teardown(cpuAtStart: number): Promise<void> {
  if (METRICS_URL === "off") return;
  const cpuMs = ((await cpuSeconds()) - cpuAtStart) * 1000;
  if (answered > 0) cpuPerAnswer.add(cpuMs / answered);
  if (stepped > 0) cpuPerStep.add(cpuMs / stepped);
}
