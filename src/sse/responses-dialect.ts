/**
 * A generation's log as the Responses API streams it, numbered: the four opening events
 * (sequence numbers 0–3), one `response.output_text.delta` per token (4 + its index), and the four
 * closing events. The numbers follow from the log alone, so every instance numbers a generation
 * alike and a client resumes anywhere with `starting_after`, inside the opening and closing
 * events included. Each event also carries its number as the SSE `id:`.
 * Reference: https://platform.openai.com/docs/guides/background
 */
import { type EventLogView, textOf } from "../generation/view.ts";
import type { Dialect } from "./dialects.ts";
import { formatEvent, numberedEventFormat } from "./encode.ts";
import {
  closingEvents,
  deltaJson,
  eventJson,
  messageItemId,
  openingEvents,
  type ResponseEvent,
  type ResponseRecord,
} from "./responses-events.ts";

const OPENING_EVENTS = 4;
const CLOSING_EVENTS = 4;

/** Where a viewer starts: past how many events of the log, and how many opening and closing events it has seen. */
export interface ResponsesResume {
  /** Log events already seen (subscribe's `after`). */
  after: number;
  openingSeen: number;
  closingSeen: number;
}

/** The sequence number of the delta of the token at `index`. */
const deltaNumber = (index: number) => OPENING_EVENTS + index;

/**
 * Where a viewer that has seen every event up to `startingAfter` resumes in `log` (from the start
 * when undefined); undefined when that number is past what the log holds. A view that follows
 * another instance should be given time to catch up first (it may be behind the client).
 */
export function responsesResume(log: EventLogView, startingAfter: number | undefined): ResponsesResume | undefined {
  const seen = startingAfter === undefined ? 0 : startingAfter + 1;
  const openingSeen = Math.min(seen, OPENING_EVENTS);
  const tokensSeen = seen - openingSeen;
  if (tokensSeen <= log.tokenCount) return { after: tokensSeen, openingSeen, closingSeen: 0 };
  if (!log.end) return undefined;
  const closingSeen = tokensSeen - log.tokenCount;
  if (closingSeen > CLOSING_EVENTS) return undefined;
  // Every closing event seen: nothing is left but to close the stream.
  const after = closingSeen === CLOSING_EVENTS ? log.length : log.tokenCount;
  return { after, openingSeen, closingSeen };
}

/** How many log events a viewer must wait for to resume after `startingAfter`: the tokens it names. */
export function tokensNamedBy(startingAfter: number): number {
  return Math.max(0, startingAfter + 1 - OPENING_EVENTS);
}

function frame(event: ResponseEvent, sequenceNumber: number): string {
  return formatEvent({ event: event.type, id: String(sequenceNumber), data: eventJson(event, sequenceNumber) });
}

const deltaFrame = numberedEventFormat("response.output_text.delta", "");

/** The dialect for one viewer of the response `record`, whose generation's log is `log`, from `resume`. */
export function responsesDialect(record: ResponseRecord, log: EventLogView, resume: ResponsesResume): Dialect {
  const itemIdJson = JSON.stringify(messageItemId(record));
  const head = openingEvents(record)
    .map((event, index) => (index < resume.openingSeen ? "" : frame(event, index)))
    .join("");
  return {
    head,
    token: (index, text) => deltaFrame(deltaNumber(index), deltaJson(deltaNumber(index), itemIdJson, text)),
    // A response's generation is started without tools (responses-start.ts), so its log holds no
    // step; were one there, it would have no sequence number of its own to resume from.
    step: () => "",
    end(event) {
      const first = deltaNumber(event.id - 1);
      return closingEvents(record, { text: textOf(log), end: event })
        .map((closing, index) => (index < resume.closingSeen ? "" : frame(closing, first + index)))
        .join("");
    },
    // A Last-Event-ID is a sequence number; the route reads it as `starting_after`.
    cursor: (lastEventId) => (/^\d{1,15}$/.test(lastEventId) ? tokensNamedBy(Number(lastEventId)) : undefined),
  };
}
