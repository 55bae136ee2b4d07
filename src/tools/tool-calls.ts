/**
 * The tool calls of one model call, assembled from their streamed deltas (OpenAI's format: the
 * first delta of a call carries its index, id and name, later ones add to its arguments), and
 * reported as step events as they arrive: `tool_call` once the name is known, then each piece of
 * the arguments as `tool_arguments`.
 */
import type { StepSink, ToolCallDelta } from "../upstream/chat-stream.ts";

/** One call as the model asked for it. */
export interface AssembledCall {
  /** The model's id, which its result must name (`tool_call_id`). */
  modelId: string;
  /** The id the step events carry: the model's, unless an earlier call of the answer had it. */
  callId: string;
  name: string;
  arguments: string;
}

interface Pending extends Partial<AssembledCall> {
  /** Arguments that came before the name (a provider may send them so): sent once it is known. */
  early: string;
}

export class ToolCalls {
  readonly #byIndex = new Map<number, Pending>();

  constructor(
    private readonly sink: StepSink,
    /** Which model call of the answer this is: unnamed calls get ids from it. */
    private readonly round: number,
    /** Every event id the answer has used so far (shared by its rounds). */
    private readonly usedIds: Set<string>,
  ) {}

  get size(): number {
    return this.#byIndex.size;
  }

  /** Takes one delta of a chunk. */
  readonly add = (delta: ToolCallDelta): void => {
    const index = typeof delta.index === "number" ? delta.index : this.#byIndex.size;
    let call = this.#byIndex.get(index);
    if (!call) {
      call = { early: "" };
      this.#byIndex.set(index, call);
    }
    if (delta.id && !call.modelId) call.modelId = delta.id;
    const piece = delta.function?.arguments ?? "";
    if (!call.name && delta.function?.name) {
      // A name is what a tool is offered under (at most 64 characters): no more is kept of another.
      this.#start(call, index, delta.function.name.slice(0, 200));
      this.#arguments(call, call.early + piece);
      call.early = "";
    } else if (call.name) this.#arguments(call, piece);
    else call.early += piece;
  };

  /** The calls, in the model's order; a call that never got a name is dropped (nothing to run). */
  finish(): AssembledCall[] {
    return [...this.#byIndex.entries()]
      .sort(([a], [b]) => a - b)
      .flatMap(([, call]) => (call.name && call.callId ? [call as AssembledCall] : []));
  }

  #start(call: Pending, index: number, name: string): void {
    call.modelId ??= `call_${this.round}_${index}`;
    let callId = call.modelId;
    for (let n = 2; this.usedIds.has(callId); n++) callId = `${call.modelId}_${n}`;
    this.usedIds.add(callId);
    call.callId = callId;
    call.name = name;
    call.arguments = "";
    this.sink.step({ type: "tool_call", call_id: callId, name });
  }

  #arguments(call: Pending, piece: string): void {
    if (piece === "") return;
    call.arguments += piece;
    this.sink.step({ type: "tool_arguments", call_id: call.callId as string, delta: piece });
  }
}
