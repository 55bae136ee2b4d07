/**
 * One model call, reduced to what a generation records: tokens, the finish reason and the usage,
 * handed to a sink as each network read brings them; the tool calls the model asks for go to a
 * collector of their own (tools/tool-loop.ts), so a call without tools pays nothing for them.
 */
import type OpenAI from "openai";
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionChunk,
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
  ChatCompletionToolMessageParam,
} from "openai/resources/chat/completions";
import type { FinishReason, ModelMessage, StepRecord, Usage } from "../contract.ts";
import type { ChunkListener } from "./chunk-parser.ts";
import { type CallOptions, readCompletion } from "./completion-stream.ts";
import { toUpstreamError, UpstreamError } from "./errors.ts";
import { IncludeUsagePolicy, requestStreamWithUsage } from "./usage-request.ts";

/** A message of a tool-calling answer: the model's tool calls, or one call's result. */
export type ToolTurnMessage = ChatCompletionAssistantMessageParam | ChatCompletionToolMessageParam;

export interface ChatRequest {
  model: string;
  /** Text, or content parts for a question with images (vision models), kept as bytes until sent. */
  messages: ModelMessage[];
  max_tokens?: number | undefined;
  temperature?: number | undefined;
  top_p?: number | undefined;
}

/** One model call of a tool answer (tools/tool-loop.ts): the conversation, then its tool turns, with the tools. */
export interface ToolCallingRequest extends Omit<ChatRequest, "messages"> {
  messages: (ModelMessage | ToolTurnMessage)[];
  /** The tools offered (OpenAI function tools). */
  tools: ChatCompletionFunctionTool[];
  /** "none" on the last call a tool answer may make: the model must answer in words. */
  tool_choice: "auto" | "none";
}

/** One piece of a tool call, as a chunk carries it (the first names the call; the rest add arguments). */
export type ToolCallDelta = NonNullable<ChatCompletionChunk.Choice.Delta["tool_calls"]>[number];

/**
 * What a model call tells its generation, synchronously, as its chunks arrive: a method per kind
 * of delta (no object per token), and `readEnd` once per network read, so that the tokens one
 * read brought reach a viewer in one write.
 */
export interface UpstreamSink {
  token(text: string): void;
  finish(reason: FinishReason): void;
  usage(usage: Usage): void;
  /** Every delta of one network read is in. */
  readEnd(): void;
}

/**
 * What a tool-calling answer reports besides a model call's deltas (tools/tool-loop.ts): its
 * step events, and when it waits on tools rather than on the model (no token is due then).
 */
export interface StepSink {
  /** A tool step's event; a result is passed on to viewers at once. */
  step(record: StepRecord): void;
  /** Tools run: the model's token timeouts rest until the next model call. */
  toolsRunning(): void;
  /** The next model call starts: its first token is timed from now. */
  modelCallStarting(): void;
}

/** Starts a model call (or a tool answer's calls) that reports into `sink`; it must end quietly when `signal` aborts. */
export type Upstream = (signal: AbortSignal, id: string, sink: UpstreamSink & StepSink) => Promise<void>;

// Where no policy is given, the model is always asked for its usage.
const ALWAYS_ASK = new IncludeUsagePolicy("on");

/**
 * Streams one chat completion into `sink`, asking for its usage as `options.usage` says. Resolves
 * at its end, or quietly when `options.signal` aborts (a cancel is not an error); rejects with
 * {@link UpstreamError} for everything else, a stream cut before its finish included.
 */
export async function streamChat(
  client: OpenAI,
  request: ChatRequest | ToolCallingRequest,
  options: CallOptions & { usage?: IncludeUsagePolicy | undefined },
  sink: UpstreamSink,
  toolCalls?: (delta: ToolCallDelta) => void,
): Promise<void> {
  const params = { ...request, messages: request.messages as ChatCompletionMessageParam[], stream: true as const };
  const call = new ChatCall(sink, options.signal, toolCalls);
  let response: Response;
  try {
    ({ response } = await requestStreamWithUsage(client, params, options, options.usage ?? ALWAYS_ASK));
  } catch (cause) {
    if (options.signal.aborted) return;
    throw toUpstreamError(cause);
  }
  // The request (the whole conversation) is not needed past here: only the call is kept while it streams.
  return call.read(response);
}

/** One call's chunks read into its sink: an object, not closures, for as long as the answer streams. */
class ChatCall implements ChunkListener {
  #finished = false;

  constructor(
    private readonly sink: UpstreamSink,
    private readonly signal: AbortSignal,
    private readonly toolCalls: ((delta: ToolCallDelta) => void) | undefined,
  ) {}

  chunk(chunk: ChatCompletionChunk): void {
    if (readChunk(chunk, this.sink)) this.#finished = true;
    const { toolCalls } = this;
    const calls = toolCalls && chunk.choices?.[0]?.delta?.tool_calls;
    if (calls) for (const call of calls) toolCalls(call);
  }

  readEnd(): void {
    this.sink.readEnd();
  }

  /** Reads `response`'s chunks to the end of its body; keeps no reference to the response itself. */
  read(response: Response): Promise<void> {
    return this.#end(readCompletion(response, this));
  }

  // An async function keeps its parameters for as long as it runs: this one's is the read's promise alone.
  async #end(reading: Promise<void>): Promise<void> {
    try {
      await reading;
    } catch (cause) {
      if (this.signal.aborted) return;
      throw toUpstreamError(cause);
    }
    if (!this.#finished && !this.signal.aborted)
      throw new UpstreamError("upstream_bad_response", "the model provider ended the stream without finishing", 502);
  }
}

/** Hands `chunk`'s deltas to `sink`; true when it carried the finish reason. */
function readChunk(chunk: ChatCompletionChunk, sink: UpstreamSink): boolean {
  const choice = chunk.choices?.[0];
  const text = choice?.delta?.content;
  if (typeof text === "string" && text !== "") sink.token(text);
  const reason = choice?.finish_reason;
  if (reason) sink.finish(toFinishReason(reason));
  if (chunk.usage) {
    const { prompt_tokens, completion_tokens, total_tokens } = chunk.usage;
    sink.usage({ prompt_tokens, completion_tokens, total_tokens });
  }
  return Boolean(reason);
}

function toFinishReason(reason: string): FinishReason {
  return reason === "length" || reason === "content_filter" || reason === "tool_calls" ? reason : "stop";
}
