/**
 * The exact bytes of OpenAI's streaming format (`data: {json}\n\n` per chunk, `data: [DONE]`
 * last) and the non-streaming completion object. Content chunks are assembled from
 * pre-encoded pieces, since a load test asks for hundreds of thousands of them per minute.
 */
import type { Usage } from "../contract.ts";
import { splitEcho } from "./echo.ts";
import type { SimulatedFinish } from "./script.ts";
import type { SimulatedCall } from "./tool-turn.ts";

const encoder = new TextEncoder();

export const DONE_CHUNK = encoder.encode("data: [DONE]\n\n");
/** The `malformed` fault's chunk: an SSE event whose data is not JSON. */
export const MALFORMED_CHUNK = encoder.encode("data: {not json\n\n");

const CONTENT_SUFFIX = encoder.encode('},"finish_reason":null}]}\n\n');

/** JSON-encoded tokens; the vocabulary is ~150 distinct tokens, echo pieces fill the rest. */
const tokenJsonCache = new Map<string, Uint8Array>();
const TOKEN_CACHE_LIMIT = 4_096;

function tokenJson(token: string): Uint8Array {
  let bytes = tokenJsonCache.get(token);
  if (bytes === undefined) {
    // JSON.stringify escapes CR, LF, NUL and lone surrogates, so every token survives as one data: line.
    bytes = encoder.encode(JSON.stringify(token));
    if (tokenJsonCache.size < TOKEN_CACHE_LIMIT) tokenJsonCache.set(token, bytes);
  }
  return bytes;
}

export function usageOf(promptTokens: number, completionTokens: number): Usage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}

/** Encodes the chunks of one streamed completion (one id, one `created`, one model). */
export class ChunkEncoder {
  readonly #head: { id: string; object: "chat.completion.chunk"; created: number; model: string };
  readonly #contentPrefix: Uint8Array;
  /** Scratch space for `contents`, reused so a tick allocates only the bytes it writes. */
  readonly #jsons: Uint8Array[] = [];

  constructor(id: string, created: number, model: string) {
    this.#head = { id, object: "chat.completion.chunk", created, model };
    const head = JSON.stringify(this.#head).slice(0, -1);
    this.#contentPrefix = encoder.encode(`data: ${head},"choices":[{"index":0,"delta":{"content":`);
  }

  /** The first chunk of every OpenAI stream: the role, with empty content. */
  role(): Uint8Array {
    return this.#event({ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null });
  }

  /** One content chunk per token, concatenated into one buffer (one write per timer tick). */
  contents(tokens: readonly string[]): Uint8Array {
    const prefix = this.#contentPrefix;
    const jsons = this.#jsons;
    let length = 0;
    for (let i = 0; i < tokens.length; i++) {
      jsons[i] = tokenJson(tokens[i] as string);
      length += prefix.length + (jsons[i] as Uint8Array).length + CONTENT_SUFFIX.length;
    }
    const bytes = new Uint8Array(length);
    let offset = 0;
    for (let i = 0; i < tokens.length; i++) {
      const json = jsons[i] as Uint8Array;
      bytes.set(prefix, offset);
      bytes.set(json, offset + prefix.length);
      bytes.set(CONTENT_SUFFIX, offset + prefix.length + json.length);
      offset += prefix.length + json.length + CONTENT_SUFFIX.length;
    }
    jsons.length = 0;
    return bytes;
  }

  /**
   * The chunks of tool calls, as OpenAI streams them: per call, one naming it (index, id, name,
   * empty arguments), then its arguments in pieces of a few characters each. Returns the bytes
   * and how many pieces (tokens, for the usage) they hold.
   */
  toolCalls(calls: readonly SimulatedCall[]): { bytes: Uint8Array; pieces: number } {
    let text = "";
    let pieces = 0;
    calls.forEach((call, index) => {
      const named = { index, id: call.id, type: "function", function: { name: call.name, arguments: "" } };
      text += this.#eventText({ index: 0, delta: { tool_calls: [named] }, finish_reason: null });
      for (const piece of splitEcho(call.arguments)) {
        const delta = { tool_calls: [{ index, function: { arguments: piece } }] };
        text += this.#eventText({ index: 0, delta, finish_reason: null });
        pieces++;
      }
    });
    return { bytes: encoder.encode(text), pieces };
  }

  /** The chunk that ends the answer: empty delta, a finish reason. */
  finish(reason: SimulatedFinish): Uint8Array {
    return this.#event({ index: 0, delta: {}, finish_reason: reason });
  }

  /** `stream_options.include_usage`: a last chunk with no choices and the usage. */
  usage(usage: Usage): Uint8Array {
    return encoder.encode(`data: ${JSON.stringify({ ...this.#head, choices: [], usage })}\n\n`);
  }

  #event(choice: Record<string, unknown>): Uint8Array {
    return encoder.encode(this.#eventText(choice));
  }

  #eventText(choice: Record<string, unknown>): string {
    return `data: ${JSON.stringify({ ...this.#head, choices: [choice] })}\n\n`;
  }
}

/** The non-streaming answer: a `chat.completion` object with the whole message and its usage. */
export function chatCompletion(
  id: string,
  created: number,
  model: string,
  content: string,
  reason: SimulatedFinish,
  usage: Usage | undefined,
  calls: readonly SimulatedCall[] = [],
) {
  const toolCalls = calls.map((call) => ({
    id: call.id,
    type: "function",
    function: { name: call.name, arguments: call.arguments },
  }));
  const message =
    calls.length > 0 ? { role: "assistant", content: null, tool_calls: toolCalls } : { role: "assistant", content };
  return {
    id,
    object: "chat.completion",
    created,
    model,
    choices: [{ index: 0, message, finish_reason: reason }],
    ...(usage ? { usage } : {}),
  };
}

/** An id in OpenAI's style (`chatcmpl-` and random letters). */
export function completionId(): string {
  return `chatcmpl-${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
}
