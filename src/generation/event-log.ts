/**
 * The append-only log of one generation: its tokens and tool steps, then one final event (done
 * or error).
 *
 * Tokens are kept as bare strings and their events built when read: an object per token was most
 * of what a finished answer held while retained for replay (STREAM_RETENTION_MS, 5 minutes by
 * default), and streams frame a token from its text alone (`tokenText`). A tool step's event is
 * rare beside tokens: it is kept as its record, in the same list, so ids stay positions.
 */
import type { EndEvent, GenerationEvent, GenerationOutcome, StepEvent, StepRecord, ToolStep } from "../contract.ts";
import { utf8Bytes } from "../utf8.ts";

export { cutToBytes, utf8Bytes } from "../utf8.ts";

/**
 * What one entry holds in memory beside its text: its string's header, its slot in the list and
 * the list's room to grow; a step's record object is larger. Measured with
 * loadtest/memory-bench/retained-heap.ts on both runtimes (a round figure above what was seen).
 */
export const TOKEN_MEMORY_BYTES = 32;
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

export class EventLog {
  /** A token's text, or a step's record. */
  readonly #entries: (string | StepRecord)[] = [];
  #end: EndEvent | undefined;
  #bytes = 0;
  #memoryBytes = 0;
  #steps = 0;

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
    return this.#end ? this.#entries.length + 1 : this.#entries.length;
  }

  /** Tokens recorded (steps not counted). */
  get tokenCount(): number {
    return this.#entries.length - this.#steps;
  }

  /** Step events recorded. */
  get stepCount(): number {
    return this.#steps;
  }

  /** The final event, once recorded. */
  get end(): EndEvent | undefined {
    return this.#end;
  }

  appendToken(text: string): void {
    if (this.#end) throw new RangeError("the log has ended");
    this.#entries.push(text);
    this.#bytes += utf8Bytes(text);
    this.#memoryBytes += textMemoryBytes(text) + TOKEN_MEMORY_BYTES;
  }

  /** Records a tool step's event (the log gives it its id). */
  appendStep(step: StepRecord): void {
    if (this.#end) throw new RangeError("the log has ended");
    this.#entries.push(step);
    this.#steps++;
    const bytes = stepBytes(step);
    this.#bytes += bytes;
    // A step's strings are its text (at most two bytes per UTF-8 byte) and its ids and name.
    this.#memoryBytes += 2 * bytes + STEP_MEMORY_BYTES;
  }

  /** Records the final event; its id must follow the last entry's. */
  close(end: EndEvent): void {
    if (this.#end || end.id !== this.#entries.length + 1) throw new RangeError("the log has ended or the id is wrong");
    this.#end = end;
  }

  /** The text of the token at `index` (0-based), or undefined where the log holds no token. */
  tokenText(index: number): string | undefined {
    const entry = this.#entries[index];
    return typeof entry === "string" ? entry : undefined;
  }

  /** The event at `index` (0-based; its id is index + 1), or undefined past the end. */
  at(index: number): GenerationEvent | undefined {
    const entry = this.#entries[index];
    if (typeof entry === "string") return { id: index + 1, type: "token", text: entry };
    if (entry !== undefined) return { id: index + 1, ...entry } as StepEvent;
    return index === this.#entries.length ? this.#end : undefined;
  }

  /** The tokens' text, joined. */
  text(): string {
    if (this.#steps === 0) return (this.#entries as string[]).join("");
    let text = "";
    for (const entry of this.#entries) if (typeof entry === "string") text += entry;
    return text;
  }

  /** The tool calls recorded, each assembled from its events; empty for an answer without any. */
  toolSteps(): ToolStep[] {
    if (this.#steps === 0) return [];
    const steps = new Map<string, ToolStep>();
    let offset = 0;
    for (const entry of this.#entries) {
      if (typeof entry === "string") offset += entry.length;
      else addStep(steps, entry, offset);
    }
    return [...steps.values()];
  }

  /** Every event, as objects (a copy). */
  toArray(): GenerationEvent[] {
    return Array.from({ length: this.length }, (_, index) => this.at(index) as GenerationEvent);
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
