/**
 * One call of the OpenAI-compatible pass-through (`/v1/chat/completions`): the client's request
 * goes to the model as it is, and the model's chunks come back unchanged. The same reader, quiet
 * abort rule and token watchdog as a generation's call: a client that leaves is a cancellation,
 * not an upstream error. The call's usage is read on the way (asked for when the client did not:
 * the usage chunk and the `usage: null` of the other chunks are then left out of what it
 * receives), or estimated at the end.
 */
import type OpenAI from "openai";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from "openai/resources/chat/completions";
import type { CancelReason, Usage } from "../contract.ts";
import { logError } from "../log.ts";
import { estimatedUsage, estimateTextTokens } from "../usage/estimate.ts";
import type { UpstreamCallObserver } from "./call-observer.ts";
import { type CallOptions, readCompletionChunks, requestCompletionStream } from "./completion-stream.ts";
import { toUpstreamError, type UpstreamError, type UpstreamTimeoutError } from "./errors.ts";
import { type TokenTimeouts, TokenWatchdog } from "./timeouts.ts";
import { type IncludeUsagePolicy, requestStreamWithUsage } from "./usage-request.ts";

export interface PassThroughOptions {
  requestId: string;
  timeouts: TokenTimeouts;
  observer: UpstreamCallObserver;
  /** Whether a stream asks the model for its usage (UPSTREAM_INCLUDE_USAGE). */
  usage: IncludeUsagePolicy;
}

/** One pass-through call; it owns the one AbortController of its upstream request. */
export class PassThroughCall {
  readonly #controller = new AbortController();
  readonly #startedAt = performance.now();
  readonly #watchdog: TokenWatchdog;
  #failure: UpstreamError | undefined;
  /** The call failed (not a client that left). */
  #broke = false;
  #tokens = 0;
  /** The usage the model reported, if it did. */
  #reported: Usage | undefined;

  constructor(
    private readonly client: OpenAI,
    private readonly options: PassThroughOptions,
  ) {
    this.#watchdog = new TokenWatchdog(options.timeouts, this);
  }

  /** The model took too long for a token (the watchdog's call). */
  timedOut(error: UpstreamTimeoutError): void {
    this.#failure = error;
    this.cancel("timeout");
  }

  /** Aborts the upstream request now (a client that left, a timeout); idempotent. */
  cancel(reason: CancelReason): void {
    if (this.#controller.signal.aborted) return;
    this.options.observer.cancelled(reason);
    this.#controller.abort(reason);
  }

  /**
   * Sends the request and resolves at the model's response headers, so a refusal (401, 429, 5xx)
   * can still be answered with its HTTP status; then the model's chunks, per network read.
   * Undefined, or a quiet end, when the client left; throws {@link UpstreamError} for a failure or a timeout.
   */
  async open(params: ChatCompletionCreateParamsStreaming): Promise<AsyncGenerator<ChatCompletionChunk[]> | undefined> {
    let opened: { response: Response; asked: boolean };
    try {
      // A client that asked for the usage itself gets the stream exactly as the model sends it.
      const own = params.stream_options?.include_usage === true;
      opened = own
        ? { response: await requestCompletionStream(this.client, params, this.#callOptions()), asked: false }
        : await requestStreamWithUsage(this.client, params, this.#callOptions(), this.options.usage);
    } catch (cause) {
      this.#watchdog.stop();
      if (this.#leftQuietly()) return undefined;
      throw this.#failed(this.#failure ?? cause);
    }
    return this.#relay(opened.response, opened.asked);
  }

  /** The model's chunks per read; `hideUsage`: Sluice asked for the usage, the client did not. */
  async *#relay(response: Response, hideUsage: boolean): AsyncGenerator<ChatCompletionChunk[]> {
    try {
      for await (const chunks of readCompletionChunks(response)) {
        if (this.#read(chunks, hideUsage) === 0) continue;
        yield chunks;
      }
    } catch (cause) {
      if (this.#leftQuietly()) return;
      throw this.#failed(this.#failure ?? cause);
    } finally {
      this.#watchdog.stop();
    }
    if (this.#failure) throw this.#failed(this.#failure);
  }

  /**
   * Counts one read's tokens and takes its usage; with `hideUsage`, leaves out what the client
   * did not ask for. Returns how many chunks are left to relay. No allocation per chunk: the
   * usage chunk comes once, at the end.
   */
  #read(chunks: ChatCompletionChunk[], hideUsage: boolean): number {
    let usageChunk = -1;
    for (let i = 0; i < chunks.length; i++) {
      const chunk = chunks[i] as ChatCompletionChunk;
      if (chunk.choices?.[0]?.delta?.content) this.#token();
      if (chunk.usage) {
        this.#reported = chunk.usage;
        if (hideUsage && chunk.choices?.length === 0) usageChunk = i;
      } else if (hideUsage && chunk.usage === null) {
        // JSON.stringify leaves out an undefined field: the chunk reads as it would unasked.
        chunk.usage = undefined;
      }
    }
    if (usageChunk >= 0) chunks.splice(usageChunk, 1);
    return chunks.length;
  }

  /**
   * What the call cost: the model's usage when it reported one and ran to its end, else an
   * estimate (`promptTokens` and the content chunks received); undefined for a call the model
   * refused or never answered.
   */
  usage(promptTokens: number): Usage | undefined {
    const reported = this.#reported;
    if (reported && !this.#controller.signal.aborted && !this.#broke) {
      const { prompt_tokens, completion_tokens, total_tokens } = reported;
      return { prompt_tokens, completion_tokens, total_tokens };
    }
    if (this.#broke && this.#tokens === 0 && !reported) return undefined;
    return estimatedUsage(reported?.prompt_tokens ?? promptTokens, this.#tokens);
  }

  /** The whole answer at once; undefined when the client left first. */
  async complete(params: ChatCompletionCreateParamsNonStreaming): Promise<ChatCompletion | undefined> {
    const { signal, requestId } = this.#callOptions();
    try {
      const completion = await this.client.chat.completions.create(params, {
        signal,
        headers: { "x-request-id": requestId },
      });
      this.#reported = completion.usage ?? undefined;
      if (!completion.usage) this.#tokens = estimateTextTokens(completion.choices?.[0]?.message?.content ?? "");
      return completion;
    } catch (cause) {
      if (this.#leftQuietly()) return undefined;
      throw this.#failed(this.#failure ?? cause);
    } finally {
      this.#watchdog.stop();
    }
  }

  #callOptions(): CallOptions {
    return { signal: this.#controller.signal, requestId: this.options.requestId };
  }

  /** Aborted, and not by the watchdog: the client left, which is a cancellation, not a failure. */
  #leftQuietly(): boolean {
    return this.#controller.signal.aborted && !this.#failure;
  }

  #token(): void {
    if (this.#tokens++ === 0) this.options.observer.firstToken(performance.now() - this.#startedAt);
    this.options.observer.token();
    this.#watchdog.token();
  }

  #failed(cause: unknown): UpstreamError {
    this.#broke = true;
    const error = toUpstreamError(cause);
    logError("pass-through call failed", {
      request: this.options.requestId,
      code: error.code,
      error: error.cause ?? error,
    });
    this.options.observer.failed(error.code);
    return error;
  }
}
