/**
 * The append-only log of one generation: its tokens and tool steps, then one final event (done
 * or error).
 *
 * A token is kept as its text alone, its event built when read: streams frame a token from its
 * text (`tokenText`). Tokens arrive as one small string each, and a string costs the runtime a
 * cell and a buffer of its own, several times a short token's characters: so the log keeps the
 * last few as they came, and joins each run of {@link SEGMENT_ENTRIES} into one string, with where
 * each entry ends in a typed array. An answer retained for replay (STREAM_RETENTION_MS) then holds
 * its text and four bytes per token. A tool step's event is rare beside tokens: it is kept as its
 * record, in a map by position, so ids stay positions.
 */
import type { EndEvent, GenerationEvent, GenerationOutcome, StepEvent, StepRecord, ToolStep } from "../contract.ts";
import { utf8Bytes } from "../utf8.ts";

export { cutToBytes, utf8Bytes } from "../utf8.ts";

/** Entries joined into one string at a time: a power of two, so an entry's segment is a shift. */
const SEGMENT_SHIFT = 4;
export const SEGMENT_ENTRIES = 1 << SEGMENT_SHIFT;
const LAST_IN_SEGMENT = SEGMENT_ENTRIES - 1;

/**
 * What a token not yet joined holds in memory beside its text: its string's header and its slot.
 * Measured with loadtest/memory-bench/retained-heap.ts on both runtimes (a round figure above what
 * was seen).
 */
export const TOKEN_MEMORY_BYTES = 32;
/** What a joined token holds beside its text: where it ends (4 bytes, in an array up to twice its need). */
export const JOINED_TOKEN_MEMORY_BYTES = 8;
const STEP_MEMORY_BYTES = 256;

/**
 * What a string's characters hold in memory: two bytes per UTF-16 unit, as the runtimes keep text
 * decoded from a network read (measured: a token's string is not stored a byte per character).
 */
const textMemoryBytes = (text: string) => 2 * text.length;

/** The UTF-8 bytes a step record holds on the wire and in the store. */
function stepBytes(step: StepRecord): number {
  if (step.type === "tool_arguments") return utf8Bytes(step.delta);
  if (step.type === "tool_result") return utf8Bytes(step.content);
  return utf8Bytes(step.name);
}

/**
 * A sum of what several logs hold in memory, kept as they grow: the registry's running answers
 * (registry.ts), so that admitting one more never sums them all.
 */
export interface MemoryMeter {
  bytes: number;
}

export class EventLog {
  /** The joined entries: segment k is the text of entries k × SEGMENT_ENTRIES onwards (a step's share is ""). */
  readonly #segments: string[] = [];
  /** The entries since the last segment: a token's text, or "" for a step. */
  #recent: string[] = [];
  /** How many of {@link #recent} are tokens. */
  #recentTokens = 0;
  /** Where each entry's text ends, in UTF-16 units from the answer's start. */
  #ends = new Uint32Array(SEGMENT_ENTRIES);
  #entries = 0;
  /** The answer's text length so far, in UTF-16 units. */
  #textLength = 0;
  /** The steps' records by their entry's index; none for most answers. */
  #steps: Map<number, StepRecord> | undefined;
  #end: EndEvent | undefined;
  #bytes = 0;
  #memoryBytes = 0;
  readonly #meter: MemoryMeter | undefined;

  /** `meter`, if given, is told of every change of {@link memoryBytes}. */
  constructor(meter?: MemoryMeter) {
    this.#meter = meter;
  }

  /** UTF-8 bytes of the tokens' text (and steps'): what the answer is, on the wire and in the store. */
  get bytes(): number {
    return this.#bytes;
  }

  /** What the log holds in memory: its strings as the runtime stores them, and each entry's overhead. */
  get memoryBytes(): number {
    return this.#memoryBytes;
  }

  /** Events recorded: the tokens and steps, plus the final event once there is one. */
  get length(): number {
    return this.#end ? this.#entries + 1 : this.#entries;
  }

  /** Tokens recorded (steps not counted). */
  get tokenCount(): number {
    return this.#entries - this.stepCount;
  }

  /** Step events recorded. */
  get stepCount(): number {
    return this.#steps?.size ?? 0;
  }

  /** The final event, once recorded. */
  get end(): EndEvent | undefined {
    return this.#end;
  }

  appendToken(text: string): void {
    if (this.#end) throw new RangeError("the log has ended");
    this.#bytes += utf8Bytes(text);
    this.#count(textMemoryBytes(text) + TOKEN_MEMORY_BYTES);
    this.#recentTokens++;
    this.#add(text);
  }

  /** Records a tool step's event (the log gives it its id). */
  appendStep(step: StepRecord): void {
    if (this.#end) throw new RangeError("the log has ended");
    this.#steps ??= new Map();
    this.#steps.set(this.#entries, step);
    const bytes = stepBytes(step);
    this.#bytes += bytes;
    // A step's strings are its text (at most two bytes per UTF-8 byte) and its ids and name.
    this.#count(2 * bytes + STEP_MEMORY_BYTES);
    this.#add("");
  }

  /** Records the final event; its id must follow the last entry's. The entries not joined yet are joined. */
  close(end: EndEvent): void {
    if (this.#end || end.id !== this.#entries + 1) throw new RangeError("the log has ended or the id is wrong");
    this.#end = end;
    if (this.#recent.length > 0) this.#join();
    // What an ended log keeps is its segments and the ends, at their size.
    this.#recent = [];
    this.#ends = this.#ends.slice(0, this.#entries);
  }

  /** The text of the token at `index` (0-based), or undefined where the log holds no token. */
  tokenText(index: number): string | undefined {
    if (!(index >= 0 && index < this.#entries) || this.#steps?.has(index)) return undefined;
    const segment = index >> SEGMENT_SHIFT;
    if (segment === this.#segments.length) return this.#recent[index & LAST_IN_SEGMENT];
    const ends = this.#ends;
    const base = segment === 0 ? 0 : (ends[(segment << SEGMENT_SHIFT) - 1] as number);
    const start = index === 0 ? 0 : (ends[index - 1] as number);
    return (this.#segments[segment] as string).slice(start - base, (ends[index] as number) - base);
  }

  /** The event at `index` (0-based; its id is index + 1), or undefined past the end. */
  at(index: number): GenerationEvent | undefined {
    const step = this.#steps?.get(index);
    if (step !== undefined) return { id: index + 1, ...step } as StepEvent;
    const text = this.tokenText(index);
    if (text !== undefined) return { id: index + 1, type: "token", text };
    return index === this.#entries ? this.#end : undefined;
  }

  /** The tokens' text, joined. */
  text(): string {
    const joined = this.#segments.join("");
    return this.#recent.length === 0 ? joined : joined + this.#recent.join("");
  }

  /** The tool calls recorded, each assembled from its events; empty for an answer without any. */
  toolSteps(): ToolStep[] {
    if (this.#steps === undefined) return [];
    const steps = new Map<string, ToolStep>();
    // A step adds no text, so the text before it is where the entry before it ends.
    for (const [index, step] of this.#steps) addStep(steps, step, index === 0 ? 0 : (this.#ends[index - 1] as number));
    return [...steps.values()];
  }

  /** Every event, as objects (a copy). */
  toArray(): GenerationEvent[] {
    return Array.from({ length: this.length }, (_, index) => this.at(index) as GenerationEvent);
  }

  /** Records one entry's text: where it ends, and the text itself until its segment is joined. */
  #add(text: string): void {
    if (this.#entries === this.#ends.length) {
      const grown = new Uint32Array(2 * this.#ends.length);
      grown.set(this.#ends);
      this.#ends = grown;
    }
    this.#textLength += text.length;
    this.#ends[this.#entries++] = this.#textLength;
    this.#recent.push(text);
    if (this.#recent.length === SEGMENT_ENTRIES) this.#join();
  }

  /** Joins the recent entries into one segment: their strings are let go. */
  #join(): void {
    this.#segments.push(this.#recent.join(""));
    this.#recent.length = 0;
    this.#count(-this.#recentTokens * (TOKEN_MEMORY_BYTES - JOINED_TOKEN_MEMORY_BYTES));
    this.#recentTokens = 0;
  }

  #count(bytes: number): void {
    this.#memoryBytes += bytes;
    if (this.#meter) this.#meter.bytes += bytes;
  }
}

/** How a generation whose log is `log` ended with `end`: its text, and its tool steps when it has any. */
export function outcomeOf(log: EventLog, end: EndEvent): GenerationOutcome {
  const steps = log.toolSteps();
  return steps.length > 0 ? { text: log.text(), end, steps } : { text: log.text(), end };
}

/** Folds one step event into the calls assembled so far. */
function addStep(steps: Map<string, ToolStep>, event: StepRecord, offset: number): void {
  if (event.type === "tool_call") {
    steps.set(event.call_id, {
      call_id: event.call_id,
      name: event.name,
      arguments: "",
      status: "cancelled",
      result: "",
      offset,
    });
    return;
  }
  const step = steps.get(event.call_id);
  if (!step) return;
  if (event.type === "tool_arguments") {
    step.arguments += event.delta;
    return;
  }
  step.status = event.error ? "error" : "ok";
  step.result = event.content;
  if (event.error) step.error = event.error;
  if (event.full_bytes !== undefined) step.full_bytes = event.full_bytes;
}
