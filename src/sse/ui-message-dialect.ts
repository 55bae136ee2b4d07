/**
 * A generation's log as the Vercel AI SDK's UI message stream, what `useChat` reads: `data:` lines
 * of JSON parts, `start` (with the message id), `text-start` (with the first token), one `text-delta` per token,
 * `text-end`, then `finish` (or `abort` after a Stop, `error` after a failure) and `[DONE]`; an
 * answer that calls tools has their parts (`tool-input-start` …) where its log has the steps.
 * The SDK checks every part against its schema, so Sluice's own numbering goes in the SSE `id:`
 * line only: a token's id is its event id in the generation's log (as in `/api/streams/:id`), the
 * closing parts carry the end's, and the opening parts none (they come before the first event).
 * Reference: https://ai-sdk.dev/docs/ai-sdk-ui/stream-protocol
 */
import type { EndEvent, FinishReason, StepEvent } from "../contract.ts";
import type { EventLogView } from "../generation/view.ts";
import type { Dialect } from "./dialects.ts";
import { formatEvent, numberedEventFormat } from "./encode.ts";

/** The header the SDK's transport expects on a UI message stream. */
export const UI_MESSAGE_STREAM_HEADERS: Readonly<Record<string, string>> = {
  "x-vercel-ai-ui-message-stream": "v1",
};

// One text part per answer: its id only has to be unique within the message.
const TEXT_PART_ID = "text-1";

const FINISH_REASONS: Record<Exclude<FinishReason, "cancelled">, string> = {
  stop: "stop",
  length: "length",
  content_filter: "content-filter",
  tool_calls: "tool-calls",
};

const part = (value: Record<string, unknown>) => formatEvent({ data: JSON.stringify(value) });
const tokenFrame = numberedEventFormat(undefined, "");

/**
 * A tool step as the SDK's tool parts. Sluice runs the tools itself, so each is a dynamic tool
 * the server executed (`providerExecuted`): its input streams as it is written, then its output
 * or its error. Each is written from its own event alone, so a viewer that resumes after a
 * Last-Event-ID gets the same parts as one that read on.
 */
function stepPart(event: StepEvent): Record<string, unknown> {
  const call = { toolCallId: event.call_id, dynamic: true, providerExecuted: true };
  if (event.type === "tool_call") return { type: "tool-input-start", ...call, toolName: event.name };
  if (event.type === "tool_arguments")
    return { type: "tool-input-delta", toolCallId: event.call_id, inputTextDelta: event.delta };
  if (event.error)
    return { type: "tool-output-error", ...call, errorText: `${event.error.code}: ${event.error.message}` };
  return { type: "tool-output-available", ...call, output: event.content };
}

const TEXT_END = { type: "text-end", id: TEXT_PART_ID };

/** The parts that end the message, for the end event (after its text part's end). */
function closingParts(end: EndEvent): Record<string, unknown>[] {
  if (end.type === "error") return [{ type: "error", errorText: `${end.code}: ${end.message}` }];
  if (end.finish_reason === "cancelled") return [{ type: "abort", reason: "stopped" }];
  return [{ type: "finish", finishReason: FINISH_REASONS[end.finish_reason] }];
}

/**
 * Whether a viewer that has read the log's first `after` events has a text part open: a token
 * opens one, a tool call closes it.
 */
export function textOpenAfter(log: Pick<EventLogView, "at">, after: number): boolean {
  for (let index = after - 1; index >= 0; index--) {
    const type = log.at(index)?.type;
    if (type === "token") return true;
    if (type === "tool_call") return false;
  }
  return false;
}

/**
 * The dialect of the message `messageId` (the stored answer's id) for one viewer. `fromStart`: it
 * reads from the beginning and gets the opening parts; a viewer resuming after a Last-Event-ID has
 * them, and `textOpen` says whether it has a text part open (textOpenAfter). A tool call closes
 * the text part and the next token opens another, so the SDK lists text and calls in their order.
 */
export function uiMessageDialect(messageId: string, fromStart: boolean, textOpen = !fromStart): Dialect {
  const head = fromStart ? part({ type: "start", messageId }) : "";
  const deltaHead = `{"type":"text-delta","id":${JSON.stringify(TEXT_PART_ID)},"delta":`;
  let open = !fromStart && textOpen;
  const textStart = () => {
    if (open) return "";
    open = true;
    return part({ type: "text-start", id: TEXT_PART_ID });
  };
  const textEnd = () => {
    if (!open) return "";
    open = false;
    return part(TEXT_END);
  };
  return {
    head,
    token: (index, text) => textStart() + tokenFrame(index + 1, `${deltaHead}${JSON.stringify(text)}}`),
    step: (event) =>
      (event.type === "tool_call" ? textEnd() : "") +
      formatEvent({ id: String(event.id), data: JSON.stringify(stepPart(event)) }),
    end: (event) =>
      textEnd() + closingParts(event).map(part).join("") + formatEvent({ id: String(event.id), data: "[DONE]" }),
    cursor: (lastEventId) => (/^\d{1,15}$/.test(lastEventId) ? Number(lastEventId) : undefined),
  };
}
