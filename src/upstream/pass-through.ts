/**
 * One call of the OpenAI-compatible pass-through (`/v1/chat/completions`): the client's request
 * goes to the model as it is, and the model's chunks come back unchanged. The same reader, quiet
 * abort rule and token watchdog as a generation's call: a client that leaves is a cancellation,
 * not an upstream error.
 */
import type OpenAI from "openai";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from "openai/resources/chat/completions";
import type { CancelReason } from "../contract.ts";
import { logError } from "../log.ts";
import type { UpstreamCallObserver } from "./call-observer.ts";
import { type CallOptions, readCompletionChunks, requestCompletionStream } from "./completion-stream.ts";
import { toUpstreamError, type UpstreamError } from "./errors.ts";
import { type TokenTimeouts, TokenWatchdog } from "./timeouts.ts";

export interface PassThroughOptions {
  requestId: string;
  timeouts: TokenTimeouts;
  observer: UpstreamCallObserver;
}

/** One pass-through call; it owns the one AbortController of its upstream request. */
export class PassThroughCall {
  readonly #controller = new AbortController();
  readonly #startedAt = performance.now();
  readonly #watchdog: TokenWatchdog;
  #failure: UpstreamError | undefined;
  #tokens = 0;

  constructor(
    private readonly client: OpenAI,
    private readonly options: PassThroughOptions,
  ) {
    this.#watchdog = new TokenWatchdog(options.timeouts, (error) => {
      this.#failure = error;
      this.cancel("timeout");
    });
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
    let response: Response;
    try {
      response = await requestCompletionStream(this.client, params, this.#callOptions());
    } catch (cause) {
      this.#watchdog.stop();
      if (this.#leftQuietly()) return undefined;
      throw this.#failed(this.#failure ?? cause);
    }
    return this.#relay(response);
  }

  async *#relay(response: Response): AsyncGenerator<ChatCompletionChunk[]> {
    try {
      for await (const chunks of readCompletionChunks(response)) {
        for (const chunk of chunks) if (chunk.choices?.[0]?.delta?.content) this.#token();
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

  /** The whole answer at once; undefined when the client left first. */
  async complete(params: ChatCompletionCreateParamsNonStreaming): Promise<ChatCompletion | undefined> {
    const { signal, requestId } = this.#callOptions();
    try {
      return await this.client.chat.completions.create(params, { signal, headers: { "x-request-id": requestId } });
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
