/**
 * What one request will get, decided before the first byte: which tokens, how many, at what
 * pace, why it ends, and which fault (if any) interrupts it. Streaming and non-streaming
 * responses both play the same script, so they agree on text, usage and timing.
 */

import type { FinishReason } from "../contract.ts";
import { DEFAULT_CONTINUE_INSTRUCTION } from "../settings/continuation.ts";
import type { SimulatorSettings } from "../settings/simulator.ts";
import { type Directive, splitDirective, type UsageBehaviour } from "./directive.ts";
import { echoText, splitEcho } from "./echo.ts";
import type { Fault } from "./faults.ts";
import { hashStrings } from "./prng.ts";
import type { ChatRequest, WireMessage } from "./request.ts";
import { createTextTokens } from "./text.ts";
import { type SimulatedCall, toolTurn } from "./tool-turn.ts";

/** The simulator ends an answer by itself, at its length, or to have tools called. */
export type SimulatedFinish = Extract<FinishReason, "stop" | "length" | "tool_calls">;

export interface Script {
  requestId: string;
  model: string;
  /** Returns the next content token; call it at most `tokenCount` times. */
  nextToken: () => string;
  tokenCount: number;
  finishReason: SimulatedFinish;
  ttftMs: number;
  /** Time between two tokens after the first: 1000 / tokens per second. */
  intervalMs: number;
  fault: Fault | undefined;
  promptTokens: number;
  /** The tool calls the answer asks for, after its text (none: a plain answer). */
  toolCalls: SimulatedCall[];
  /** Whether usage is sent when asked (`/sim usage=…`; default send). */
  usage: UsageBehaviour;
}

/** The prompt with the `/sim` line taken off the last user message (the only place it is read). */
function withoutDirective(messages: WireMessage[]): { messages: WireMessage[]; directive: Directive } {
  const last = messages.findLastIndex((message) => message.role === "user");
  if (last < 0) return { messages, directive: {} };
  const { directive, prompt } = splitDirective((messages[last] as WireMessage).content);
  const cleaned = messages.map((message, i) => (i === last ? { ...message, content: prompt } : message));
  return { messages: cleaned, directive };
}

/** A rough count in the usual ~4 characters per token of English, so usage figures look plausible. */
function estimatePromptTokens(messages: WireMessage[]): number {
  return messages.reduce((sum, message) => sum + 4 + Math.ceil(message.content.length / 4), 0);
}

function arrayTokens(tokens: string[], then?: () => string): () => string {
  let index = 0;
  return () => tokens[index++] ?? then?.() ?? "";
}

/**
 * A request for the rest of an answer, in either convention Sluice's Continue sends
 * (conversations/continuation.ts): the partial answer last (prefill), or the partial answer then
 * the continue instruction. Undefined for any other request.
 */
function splitContinuation(
  messages: WireMessage[],
  instruction: string,
): { asked: WireMessage[]; partial: string } | undefined {
  const [before, last] = messages.slice(-2);
  if (last?.role === "assistant") return { asked: messages.slice(0, -1), partial: last.content };
  if (last?.role === "user" && last.content === instruction && before?.role === "assistant")
    return { asked: messages.slice(0, -2), partial: before.content };
  return undefined;
}

/** Skips the tokens that make up the first `length` characters; returns how many it took. */
function skipWritten(nextToken: () => string, length: number, limit: number): number {
  let written = 0;
  let skipped = 0;
  while (written < length && skipped < limit) {
    written += nextToken().length;
    skipped++;
  }
  return skipped;
}

/**
 * Decides the whole answer to `request` under `settings` (the `/sim` line overrides them). Asked
 * to continue an answer, it goes on with the answer the question had, after the part written: the
 * same seed gives the same tokens, so a cut-off answer and its continuation read as one.
 */
export function createScript(request: ChatRequest, settings: SimulatorSettings, requestId: string): Script {
  const continuation = splitContinuation(
    request.messages,
    settings.continueInstruction ?? DEFAULT_CONTINUE_INSTRUCTION,
  );
  const { messages, directive } = withoutDirective(continuation?.asked ?? request.messages);
  const lastUser = messages.findLast((message) => message.role === "user");
  const echoed = lastUser ? echoText(lastUser.content) : undefined;
  // The /sim line is left out of the seed, so pacing or faults never change the words.
  const seed = hashStrings(messages.flatMap((message) => [message.role, message.content]));
  const echoPieces = echoed === undefined ? undefined : splitEcho(echoed);
  const tools = toolTurn(request, messages, directive);
  // After tool results, the answer quotes them first (tool-turn.ts).
  const quoted = echoPieces || tools.results === undefined ? [] : splitEcho(tools.results);
  const nextToken = echoPieces ? arrayTokens(echoPieces) : arrayTokens(quoted, createTextTokens(seed));
  // An echo is as long as its text; SIM_MAX_TOKENS only bounds invented text. An answer that
  // calls tools writes no text.
  const invented = directive.tokens ?? settings.maxTokens;
  const whole = tools.calls.length > 0 ? 0 : (echoPieces?.length ?? quoted.length + invented);
  const natural = whole - skipWritten(nextToken, continuation?.partial.length ?? 0, whole);
  const cap = request.maxTokens ?? Number.POSITIVE_INFINITY;
  return {
    requestId,
    model: request.model,
    nextToken,
    tokenCount: Math.min(natural, cap),
    finishReason: cap < natural ? "length" : tools.calls.length > 0 ? "tool_calls" : "stop",
    ttftMs: directive.ttftMs ?? settings.ttftMs,
    intervalMs: 1000 / (directive.tokensPerSecond ?? settings.tokensPerSecond),
    fault: directive.fault,
    promptTokens: estimatePromptTokens(request.messages),
    toolCalls: tools.calls,
    usage: directive.usage ?? "send",
  };
}
