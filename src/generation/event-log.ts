/**
 * The append-only log of one generation: its tokens, then one final event (done or error).
 *
 * Tokens are kept as bare strings and their events built when read. An object per token was most
 * of what a finished answer held while retained for replay (STREAM_RETENTION_MS, 5 minutes by
 * default): a retained 200-token answer took 19.7 KiB of heap on Bun before, 5.1 KiB now (with the
 * per-token text rope and the upstream request also let go).
 */
import type { EndEvent, GenerationEvent } from "../contract.ts";

export class EventLog {
  readonly #tokens: string[] = [];
  #end: EndEvent | undefined;

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
  }

  /** Records the final event; its id must follow the last token's. */
  close(end: EndEvent): void {
    if (this.#end || end.id !== this.#tokens.length + 1) throw new RangeError("the log has ended or the id is wrong");
    this.#end = end;
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
