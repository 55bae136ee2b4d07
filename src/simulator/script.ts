/**
 * What one request will get, decided before the first byte: which tokens, how many, at what
 * pace, why it ends, and which fault (if any) interrupts it. Streaming and non-streaming
 * responses both play the same script, so they agree on text, usage and timing.
 */
import type { SimulatorSettings } from "../config.ts";
import type { FinishReason } from "../contract.ts";
import { type Directive, splitDirective } from "./directive.ts";
import { echoText, splitEcho } from "./echo.ts";
import type { Fault } from "./faults.ts";
import { hashStrings } from "./prng.ts";
import type { ChatRequest, WireMessage } from "./request.ts";
import { createTextTokens } from "./text.ts";

/** The simulator ends an answer by itself or at its length. */
export type SimulatedFinish = Extract<FinishReason, "stop" | "length">;

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

function arrayTokens(tokens: string[]): () => string {
  let index = 0;
  return () => tokens[index++] ?? "";
}

/** Decides the whole answer to `request` under `settings` (the `/sim` line overrides them). */
export function createScript(request: ChatRequest, settings: SimulatorSettings, requestId: string): Script {
  const { messages, directive } = withoutDirective(request.messages);
  const lastUser = messages.findLast((message) => message.role === "user");
  const echoed = lastUser ? echoText(lastUser.content) : undefined;
  // The /sim line is left out of the seed, so pacing or faults never change the words.
  const seed = hashStrings(messages.flatMap((message) => [message.role, message.content]));
  const echoPieces = echoed === undefined ? undefined : splitEcho(echoed);
  // An echo is as long as its text; SIM_MAX_TOKENS only bounds invented text.
  const natural = echoPieces?.length ?? directive.tokens ?? settings.maxTokens;
  const cap = request.maxTokens ?? Number.POSITIVE_INFINITY;
  return {
    requestId,
    model: request.model,
    nextToken: echoPieces ? arrayTokens(echoPieces) : createTextTokens(seed),
    tokenCount: Math.min(natural, cap),
    finishReason: cap < natural ? "length" : "stop",
    ttftMs: directive.ttftMs ?? settings.ttftMs,
    intervalMs: 1000 / (directive.tokensPerSecond ?? settings.tokensPerSecond),
    fault: directive.fault,
    promptTokens: estimatePromptTokens(request.messages),
  };
}
