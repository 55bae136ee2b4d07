/**
 * A generation's log as the Vercel AI SDK's UI message stream, what `useChat` reads: `data:` lines
 * of JSON parts, `start` (with the message id), `text-start`, one `text-delta` per token,
 * `text-end`, then `finish` (or `abort` after a Stop, `error` after a failure) and `[DONE]`.
 * The SDK checks every part against its schema, so Sluice's own numbering goes in the SSE `id:`
 * line only: a token's id is its event id in the generation's log (as in `/api/streams/:id`), the
 * closing parts carry the end's, and the opening parts none (they come before the first event).
 * Reference: https://ai-sdk.dev/docs/ai-sdk-ui/stream-protocol
 */
import type { EndEvent, FinishReason } from "../contract.ts";
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

/** The parts that end the message, for the end event. */
function closingParts(end: EndEvent): Record<string, unknown>[] {
  const textEnd = { type: "text-end", id: TEXT_PART_ID };
  if (end.type === "error") return [textEnd, { type: "error", errorText: `${end.code}: ${end.message}` }];
  if (end.finish_reason === "cancelled") return [textEnd, { type: "abort", reason: "stopped" }];
  return [textEnd, { type: "finish", finishReason: FINISH_REASONS[end.finish_reason] }];
}

/**
 * The dialect of the message `messageId` (the stored answer's id). `fromStart`: the viewer reads
 * from the beginning and gets the opening parts; a viewer resuming after a Last-Event-ID has them.
 */
export function uiMessageDialect(messageId: string, fromStart: boolean): Dialect {
  const head = fromStart ? part({ type: "start", messageId }) + part({ type: "text-start", id: TEXT_PART_ID }) : "";
  const deltaHead = `{"type":"text-delta","id":${JSON.stringify(TEXT_PART_ID)},"delta":`;
  return {
    head,
    token: (index, text) => tokenFrame(index + 1, `${deltaHead}${JSON.stringify(text)}}`),
    // The chat's own turns run without tools (ui-chat.ts); a turn of the same conversation started
    // from Sluice's page may call them, and its resume shows the answer's text alone.
    step: () => "",
    end: (event) => closingParts(event).map(part).join("") + formatEvent({ id: String(event.id), data: "[DONE]" }),
    cursor: (lastEventId) => (/^\d{1,15}$/.test(lastEventId) ? Number(lastEventId) : undefined),
  };
}
