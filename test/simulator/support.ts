/**
 * Small helpers for the simulator's tests: requests, bounded raw reads of an OpenAI stream,
 * and an `openai` client pointed at a simulator.
 */
import OpenAI from "openai";
import { waitUntil } from "../../harness/client/poll.ts";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import type { SimulatorStats } from "../../src/simulator/stats.ts";

/** One `data:` payload as it arrived, with its arrival time (performance.now()). */
export interface Arrival {
  data: string;
  at: number;
}

export function userMessage(content: string) {
  return [{ role: "user" as const, content }];
}

/** POSTs a chat completion request with a bounded lifetime (the whole body read included). */
export function postChat(
  baseUrl: string,
  body: unknown,
  init: { timeoutMs?: number; headers?: Record<string, string> } = {},
) {
  return fetch(`${baseUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...init.headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
  });
}

/**
 * Reads a whole SSE body and splits it into `data:` payloads. The simulator writes one
 * `data:` line per event, so splitting on the blank line is exact here.
 */
export async function readEvents(response: Response): Promise<Arrival[]> {
  const arrivals: Arrival[] = [];
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const bytes of response.body as ReadableStream<Uint8Array>) {
    buffered += decoder.decode(bytes, { stream: true });
    let end = buffered.indexOf("\n\n");
    while (end >= 0) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (!event.startsWith("data: ")) throw new Error(`not a data line: ${JSON.stringify(event)}`);
      arrivals.push({ data: event.slice("data: ".length), at: performance.now() });
      end = buffered.indexOf("\n\n");
    }
  }
  if (buffered !== "") throw new Error(`trailing bytes after the last event: ${JSON.stringify(buffered)}`);
  return arrivals;
}

/** The content of every content chunk (not the role chunk), in order. */
export function contentTokens(arrivals: Arrival[]): string[] {
  const tokens: string[] = [];
  for (const { data } of arrivals) {
    if (data === "[DONE]") continue;
    const delta = JSON.parse(data).choices?.[0]?.delta;
    if (delta && typeof delta.content === "string" && delta.role === undefined) tokens.push(delta.content);
  }
  return tokens;
}

/** An `openai` client for a simulator: no retries (a fault must surface once), bounded time, quiet logs. */
export function openAIClient(baseUrl: string, timeoutMs = 10_000): OpenAI {
  return new OpenAI({
    baseURL: `${baseUrl}/v1`,
    apiKey: "not-needed",
    maxRetries: 0,
    timeout: timeoutMs,
    logLevel: "off",
  });
}

export async function resetStats(baseUrl: string): Promise<void> {
  await fetch(`${baseUrl}/sim/stats/reset`, { method: "POST", signal: AbortSignal.timeout(5_000) });
}

/** Polls the stats until `ready` holds; fails after `timeoutMs` with the last stats seen. */
export function waitForStats(baseUrl: string, ready: (stats: SimulatorStats) => boolean, timeoutMs = 3_000) {
  return waitUntil("the simulator's stats to match", () => fetchSimStats(baseUrl), ready, timeoutMs, 20);
}

/** Text streamed through the `openai` client, with the last chunk's finish reason. */
export async function streamText(client: OpenAI, content: string, extra: { max_tokens?: number } = {}) {
  const stream = await client.chat.completions.create({
    model: "demo",
    messages: userMessage(content),
    stream: true,
    ...extra,
  });
  let text = "";
  let finishReason: string | null = null;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? "";
    finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
  }
  return { text, finishReason };
}
