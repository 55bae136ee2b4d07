/**
 * A tool-calling answer as one upstream of a generation: the model is called with the tools
 * offered; when it asks for calls, they run (at once, each reported as it ends), their results
 * are appended, and the model is called again, for at most MAX_TOOL_STEPS rounds. The last call
 * allowed asks the model to answer in words (`tool_choice: "none"`). Everything a viewer sees
 * goes into the generation's sink, in order: tokens, the calls and their arguments as the model
 * writes them, each result, then the next call's tokens. Aborting `signal` (Stop, a timeout)
 * cancels the model call or the tool calls in flight, and the loop ends quietly.
 */
import type OpenAI from "openai";
import type { ChatCompletionMessageToolCall } from "openai/resources/chat/completions";
import {
  type ChatRequest,
  type StepSink,
  streamChat,
  type ToolCallingRequest,
  type ToolTurnMessage,
  type Upstream,
  type UpstreamSink,
} from "../upstream/chat-stream.ts";
import type { IncludeUsagePolicy } from "../upstream/usage-request.ts";
import { type AssembledCall, ToolCalls } from "./tool-calls.ts";
import { ToolError } from "./tool-errors.ts";
import type { OfferedTools, Toolbox, ToolOutcome } from "./toolbox.ts";

export interface ToolLoopSettings {
  /** MAX_TOOL_STEPS: rounds of tool calls one answer may run. */
  maxSteps: number;
  /** Whether each model call asks for its usage (UPSTREAM_INCLUDE_USAGE). */
  usage?: IncludeUsagePolicy | undefined;
}

// A model asking for more calls at once than this is asked to make fewer; they wait on one another's servers.
const CALLS_PER_STEP = 16;

type Sink = UpstreamSink & StepSink;

/**
 * The answer's text in one model call, for the assistant message that carries its tool calls.
 * After text of an earlier call, a paragraph break goes first: "Let me look." and the answer that
 * follows the tool's result would otherwise run together as one line.
 */
function recordingText(sink: Sink, before: string): { sink: Sink; text: () => string } {
  let text = "";
  // Every method named: the sink may be a class's instance (the generation), whose methods a spread would not copy.
  const recording: Sink = {
    token: (piece) => {
      if (text === "" && before !== "" && !before.endsWith("\n")) sink.token("\n\n");
      text += piece;
      sink.token(piece);
    },
    finish: (reason) => sink.finish(reason),
    usage: (usage) => sink.usage(usage),
    readEnd: () => sink.readEnd(),
    step: (record) => sink.step(record),
    toolsRunning: () => sink.toolsRunning(),
    modelCallStarting: () => sink.modelCallStarting(),
  };
  return { sink: recording, text: () => text };
}

function assistantTurn(text: string, calls: AssembledCall[]): ToolTurnMessage {
  const toolCalls: ChatCompletionMessageToolCall[] = calls.map((call) => ({
    id: call.modelId,
    type: "function",
    function: { name: call.name, arguments: call.arguments || "{}" },
  }));
  return { role: "assistant", content: text === "" ? null : text, tool_calls: toolCalls };
}

/** What the model reads as a call's result: the tool's text, or the failure in words. */
function resultTurn(call: AssembledCall, outcome: ToolOutcome): ToolTurnMessage {
  const content = outcome.error ? `Error (${outcome.error.code}): ${outcome.error.message}` : outcome.content;
  return { role: "tool", tool_call_id: call.modelId, content };
}

function refused(message: string): ToolOutcome {
  const failure = new ToolError("tool_limit_reached", message).toFailure();
  return { content: failure.message, error: failure };
}

/**
 * The upstream of a tool-calling answer to `request` with `toolbox`'s tools. With no tool to
 * offer (no server answers), it is one plain model call.
 */
export function toolAnswer(
  client: OpenAI,
  toolbox: Toolbox,
  request: ChatRequest,
  settings: ToolLoopSettings,
): Upstream {
  return async (signal, id, sink) => {
    const offered = await toolbox.offer(signal);
    if (signal.aborted) return;
    const { usage } = settings;
    if (offered.tools.length === 0) return streamChat(client, request, { signal, requestId: id, usage }, sink);
    const messages: ToolCallingRequest["messages"] = [...request.messages];
    const usedIds = new Set<string>();
    let written = "";
    for (let round = 0; ; round++) {
      const last = round >= settings.maxSteps;
      const calls = new ToolCalls(sink, round, usedIds);
      const text = recordingText(sink, written);
      const asked = {
        ...request,
        messages,
        tools: offered.tools,
        tool_choice: last ? ("none" as const) : ("auto" as const),
      };
      if (round > 0) sink.modelCallStarting();
      const requestId = round === 0 ? id : `${id}.${round}`;
      await streamChat(client, asked, { signal, requestId, usage }, text.sink, calls.add);
      const made = calls.finish();
      written += text.text();
      if (signal.aborted || made.length === 0) return;
      messages.push(assistantTurn(text.text(), made));
      if (last) {
        const why = `the answer ran its ${settings.maxSteps} rounds of tool calls (MAX_TOOL_STEPS)`;
        for (const call of made) report(sink, call, refused(why));
        return;
      }
      sink.toolsRunning();
      const results = await runCalls(toolbox, offered, made, { signal, generation: id, sink });
      if (signal.aborted) return;
      messages.push(...results);
    }
  };
}

function report(sink: StepSink, call: AssembledCall, outcome: ToolOutcome): void {
  sink.step({ type: "tool_result", call_id: call.callId, ...outcome });
}

/** Runs a round's calls at once; each result is reported as it comes. Resolves with the model's tool messages, in order. */
async function runCalls(
  toolbox: Toolbox,
  offered: OfferedTools,
  calls: AssembledCall[],
  context: { signal: AbortSignal; generation: string; sink: StepSink },
): Promise<ToolTurnMessage[]> {
  const { signal, generation, sink } = context;
  return Promise.all(
    calls.map(async (call, index) => {
      const outcome =
        index < CALLS_PER_STEP
          ? await toolbox.call(offered, { name: call.name, arguments: call.arguments, generation }, signal)
          : refused(`at most ${CALLS_PER_STEP} tool calls run at once; ask for the rest in the next step`);
      if (!signal.aborted) report(sink, call, outcome);
      return resultTurn(call, outcome);
    }),
  );
}
