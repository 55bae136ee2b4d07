import { describe, expect, test } from "bun:test";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import {
  encodeComment,
  encodeEvent,
  encodeEvents,
  encodeOpening,
  numberedEventFormat,
  SseFieldError,
} from "../../src/sse/encode.ts";
import { seeded } from "./seeded-random.ts";

const decoder = new TextDecoder();
const formatEvent = (message: Parameters<typeof encodeEvent>[0]) => decoder.decode(encodeEvent(message));

/** Feeds `bytes` to an independent spec parser in random pieces, some cut mid-UTF-8 character. */
function parseInPieces(bytes: Uint8Array, random: () => number): EventSourceMessage[] {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event) });
  const streamDecoder = new TextDecoder();
  for (let offset = 0; offset < bytes.length; ) {
    const size = 1 + Math.floor(random() * 7);
    parser.feed(streamDecoder.decode(bytes.subarray(offset, offset + size), { stream: true }));
    offset += size;
  }
  parser.feed(streamDecoder.decode());
  return events;
}

const NASTY = [
  "\r\n",
  "\r",
  "\n",
  "\0",
  "😀",
  "é",
  "data: x",
  "event: done",
  "id: 9",
  "retry: 1",
  ": c",
  " ",
  "<b>",
  "\u2028",
  "a",
];

function randomToken(random: () => number): string {
  let token = "";
  const parts = 1 + Math.floor(random() * 5);
  for (let i = 0; i < parts; i++) token += NASTY[Math.floor(random() * NASTY.length)];
  return token;
}

describe("encodeEvent", () => {
  test("writes exact bytes, one data line per line of the payload", () => {
    expect(formatEvent({ id: "3", event: "token", data: " the\r\nend\rof\nit" })).toBe(
      "event: token\nid: 3\ndata:  the\ndata: end\ndata: of\ndata: it\n\n",
    );
    expect(decoder.decode(encodeEvent({ data: "" }))).toBe("data: \n\n");
    expect(decoder.decode(encodeComment("ping"))).toBe(": ping\n\n");
    expect(decoder.decode(encodeOpening(1000, "connected"))).toBe("retry: 1000\n: connected\n\n");
    expect(decoder.decode(encodeEvents([{ data: "a" }, { id: "2", data: "b" }]))).toBe("data: a\n\nid: 2\ndata: b\n\n");
  });

  test("rejects CR, LF and NUL in id and event", () => {
    for (const bad of ["a\nb", "a\rb", "a\0b"]) {
      expect(() => formatEvent({ id: bad, data: "x" })).toThrow(SseFieldError);
      expect(() => formatEvent({ event: bad, data: "x" })).toThrow(SseFieldError);
    }
    expect(() => encodeComment("a\nb")).toThrow(SseFieldError);
    expect(() => encodeOpening(1.5, "x")).toThrow(SseFieldError);
  });

  test("property: any token round-trips through a spec parser, line breaks as LF, nothing forged", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = seeded(seed);
      const tokens = Array.from({ length: 1 + Math.floor(random() * 12) }, () => randomToken(random));
      const frames = tokens.map((text, i) => formatEvent({ id: String(i + 1), event: "token", data: text }));
      const events = parseInPieces(new TextEncoder().encode(frames.join("")), random);
      expect(events.map((event) => event.event)).toEqual(tokens.map(() => "token"));
      expect(events.map((event) => event.id)).toEqual(tokens.map((_, i) => String(i + 1)));
      expect(events.map((event) => event.data)).toEqual(tokens.map((text) => text.replace(/\r\n|\r/g, "\n")));
    }
  });
});

describe("numberedEventFormat", () => {
  test("the same bytes as a whole event's framing, the prefix and event checked once", () => {
    const token = numberedEventFormat("token", "g1.");
    expect(token(7, " the\r\nend")).toBe("event: token\nid: g1.7\ndata:  the\ndata: end\n\n");
    expect(numberedEventFormat(undefined, "")(1, "a")).toBe(formatEvent({ id: "1", data: "a" }));
    for (const bad of ["a\nb", "a\rb", "a\0b"]) {
      expect(() => numberedEventFormat("token", bad)).toThrow(SseFieldError);
      expect(() => numberedEventFormat(bad, "")).toThrow(SseFieldError);
    }
  });

  test("property: any token round-trips through a spec parser, line breaks as LF, nothing forged", () => {
    const token = numberedEventFormat(undefined, "g.");
    for (let seed = 1; seed <= 300; seed++) {
      const random = seeded(seed);
      const tokens = Array.from({ length: 1 + Math.floor(random() * 12) }, () => randomToken(random));
      const events = parseInPieces(
        new TextEncoder().encode(tokens.map((text, i) => token(i + 1, text)).join("")),
        random,
      );
      expect(events.map((event) => event.event)).toEqual(tokens.map(() => undefined));
      expect(events.map((event) => event.id)).toEqual(tokens.map((_, i) => `g.${i + 1}`));
      expect(events.map((event) => event.data)).toEqual(tokens.map((text) => text.replace(/\r\n|\r/g, "\n")));
    }
  });
});
