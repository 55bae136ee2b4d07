/**
 * Asking a model for its usage. OpenAI-compatible servers send a streamed answer's token counts
 * only when asked (`stream_options: {include_usage: true}`: a last chunk with no choices and the
 * usage); some older servers refuse the option with a 400 instead. UPSTREAM_INCLUDE_USAGE says
 * what to do: `auto` asks, and a model that refuses is asked again without it, once, and never
 * asked again by this process (a refused request costs nothing: no model ran); `on` always asks
 * (a refusal is the model's error); `off` never asks, and usage is estimated.
 */
import type OpenAI from "openai";
import { APIError } from "openai";
import type { ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import { logWarning } from "../log.ts";
import type { IncludeUsageMode } from "../settings/usage-and-sharing.ts";
import { type CallOptions, requestCompletionStream } from "./completion-stream.ts";

/** Which models are asked for their usage: all, none, or (auto) all but those that refused. */
export class IncludeUsagePolicy {
  readonly #refusing = new Set<string>();

  constructor(readonly mode: IncludeUsageMode = "auto") {}

  /** Whether a streamed call to `model` asks for its usage. */
  asks(model: string): boolean {
    return this.mode === "on" || (this.mode === "auto" && !this.#refusing.has(model));
  }

  /**
   * Whether `error` is `model` refusing the option, to be asked again without it: then it is
   * remembered (auto only).
   */
  learnRefusal(model: string, error: unknown): boolean {
    if (this.mode !== "auto" || !refusesStreamOptions(error)) return false;
    if (!this.#refusing.has(model))
      logWarning("the model refuses stream_options; its usage is estimated from now on", { model });
    this.#refusing.add(model);
    return true;
  }
}

/** A 400 that names `stream_options`, in its message or as its `param`. */
function refusesStreamOptions(error: unknown): boolean {
  if (!(error instanceof APIError) || error.status !== 400) return false;
  const said = `${error.message} ${JSON.stringify(error.error ?? "")}`;
  return /stream_options|include_usage/i.test(said);
}

/**
 * Sends a streamed completion, asking for its usage as `policy` says; `asked` tells whether the
 * request that was answered carried the option. Throws what {@link requestCompletionStream} does.
 */
export async function requestStreamWithUsage(
  client: OpenAI,
  params: ChatCompletionCreateParamsStreaming,
  options: CallOptions,
  policy: IncludeUsagePolicy,
): Promise<{ response: Response; asked: boolean }> {
  if (!policy.asks(params.model))
    return { response: await requestCompletionStream(client, params, options), asked: false };
  const asking = { ...params, stream_options: { ...params.stream_options, include_usage: true } };
  try {
    return { response: await requestCompletionStream(client, asking, options), asked: true };
  } catch (error) {
    if (options.signal.aborted || !policy.learnRefusal(params.model, error)) throw error;
    return { response: await requestCompletionStream(client, params, options), asked: false };
  }
}
