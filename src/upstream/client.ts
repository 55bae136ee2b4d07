/**
 * One call to the model per generation, through the official `openai` client, so any
 * OpenAI-compatible server works (OpenAI, Ollama, vLLM, llama.cpp server, LM Studio, the simulator).
 */
import OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { FinishReason, Usage } from "../generation/events.ts";
import { readCompletionChunks } from "./completion-stream.ts";
import { toUpstreamError, UpstreamError } from "./errors.ts";

export interface UpstreamSettings {
  baseUrl: string;
  apiKey: string | undefined;
  /** Replaces the network for the in-process simulator. */
  fetch?: (request: Request) => Promise<Response>;
  /** How long to wait for response headers. */
  timeoutMs: number;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  max_tokens?: number | undefined;
  temperature?: number | undefined;
}

/** What the upstream stream yields, already reduced to what a generation records. */
export type UpstreamDelta =
  | { type: "token"; text: string }
  | { type: "finish"; reason: FinishReason }
  | { type: "usage"; usage: Usage };

/** Creates the client; retries are off because a retry would be a second, billed model call. */
export function createUpstreamClient(settings: UpstreamSettings): OpenAI {
  const inProcess = settings.fetch;
  return new OpenAI({
    baseURL: settings.baseUrl,
    // Local servers (Ollama, llama.cpp) need no key, but the client insists on one.
    apiKey: settings.apiKey ?? "none",
    maxRetries: 0,
    timeout: settings.timeoutMs,
    logLevel: "off",
    ...(inProcess ? { fetch: inProcessFetch(inProcess) } : {}),
  });
}

/**
 * The in-process simulator behind fetch's signature. A network fetch errors its response body
 * when the signal aborts; a Response made in-process does not, so a Stop would leave the upstream
 * read waiting forever (every Stop in `loadtest/relay-bench.ts --embedded` hung so). Piping the body
 * through the signal gives the network's behaviour: the reader errors, the simulator sees a cancel.
 */
function inProcessFetch(handle: (request: Request) => Promise<Response>) {
  return async (url: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const response = await handle(new Request(url, init));
    const signal = init?.signal;
    if (!signal || !response.body) return response;
    const body = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>(), { signal });
    return new Response(body, response);
  };
}

/**
 * Streams one chat completion. Ends quietly when `signal` aborts (a cancel is not an error);
 * throws {@link UpstreamError} for everything else.
 */
export async function* streamChat(
  client: OpenAI,
  request: ChatRequest,
  options: { signal: AbortSignal; requestId: string },
): AsyncGenerator<UpstreamDelta> {
  let finished = false;
  try {
    const response = await client.chat.completions
      .create(
        {
          ...request,
          messages: request.messages as ChatCompletionMessageParam[],
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: options.signal, headers: { "x-request-id": options.requestId } },
      )
      // The raw body: see completion-stream.ts for why the client's own stream decoder is not used.
      .asResponse();
    for await (const chunks of readCompletionChunks(response)) {
      for (const chunk of chunks) {
        for (const delta of readChunk(chunk)) {
          if (delta.type === "finish") finished = true;
          yield delta;
        }
      }
    }
  } catch (cause) {
    if (options.signal.aborted) return;
    throw toUpstreamError(cause);
  }
  if (!finished && !options.signal.aborted)
    throw new UpstreamError("upstream_bad_response", "the model provider ended the stream without finishing", 502);
}

function readChunk(chunk: ChatCompletionChunk): UpstreamDelta[] {
  const deltas: UpstreamDelta[] = [];
  const choice = chunk.choices?.[0];
  const text = choice?.delta?.content;
  if (typeof text === "string" && text !== "") deltas.push({ type: "token", text });
  if (choice?.finish_reason) deltas.push({ type: "finish", reason: toFinishReason(choice.finish_reason) });
  if (chunk.usage) {
    const { prompt_tokens, completion_tokens, total_tokens } = chunk.usage;
    deltas.push({ type: "usage", usage: { prompt_tokens, completion_tokens, total_tokens } });
  }
  return deltas;
}

function toFinishReason(reason: string): FinishReason {
  return reason === "length" || reason === "content_filter" || reason === "tool_calls" ? reason : "stop";
}
