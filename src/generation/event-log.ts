/**
 * The append-only log of one generation: its tokens, then one final event (done or error).
 *
 * Tokens are kept as bare strings and their events built when read: an object per token was most
 * of what a finished answer held while retained for replay (STREAM_RETENTION_MS, 5 minutes by
 * default), and streams frame a token from its text alone (`tokenText`).
 */
import type { EndEvent, GenerationEvent } from "../contract.ts";

/** UTF-8 bytes of `text`: what the log holds on the wire and in the store. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** The longest prefix of `text` of at most `budget` UTF-8 bytes, never splitting a surrogate pair. */
export function cutToBytes(text: string, budget: number): string {
  // A UTF-16 unit is 1 to 3 UTF-8 bytes: binary search for the longest prefix that fits (rare path).
  let low = 0;
  let high = Math.min(text.length, Math.max(0, budget));
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (utf8Bytes(text.slice(0, middle)) <= budget) low = middle;
    else high = middle - 1;
  }
  const last = text.charCodeAt(low - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? low - 1 : low);
}

export class EventLog {
  readonly #tokens: string[] = [];
  #end: EndEvent | undefined;
  #bytes = 0;

  /** UTF-8 bytes of the tokens' text. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Events recorded: the tokens, plus the final event once there is one. */
  get length(): number {
    return this.#end ? this.#tokens.length + 1 : this.#tokens.length;
  }

  get tokenCount(): number {
    return this.#tokens.length;
  }

  /** The final event, once recorded. */
  get end(): EndEvent | undefined {
    return this.#end;
  }

  appendToken(text: string): void {
    if (this.#end) throw new RangeError("the log has ended");
    this.#tokens.push(text);
    this.#bytes += utf8Bytes(text);
  }

  /** Records the final event; its id must follow the last token's. */
  close(end: EndEvent): void {
    if (this.#end || end.id !== this.#tokens.length + 1) throw new RangeError("the log has ended or the id is wrong");
    this.#end = end;
  }

  /** The text of the token at `index` (0-based), or undefined where the log holds no token. */
  tokenText(index: number): string | undefined {
    return this.#tokens[index];
  }

  /** The event at `index` (0-based; its id is index + 1), or undefined past the end. */
  at(index: number): GenerationEvent | undefined {
    const text = this.#tokens[index];
    if (text !== undefined) return { id: index + 1, type: "token", text };
    return index === this.#tokens.length ? this.#end : undefined;
  }

  /** The tokens' text, joined. */
  text(): string {
    return this.#tokens.join("");
  }

  /** Every event, as objects (a copy). */
  toArray(): GenerationEvent[] {
    return Array.from({ length: this.length }, (_, index) => this.at(index) as GenerationEvent);
  }
}
