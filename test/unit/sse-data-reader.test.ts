import { describe, expect, test } from "bun:test";
import { createParser } from "eventsource-parser";
import { SseDataReader } from "../../src/upstream/sse-data-reader.ts";
import { seeded } from "./seeded-random.ts";

const encoder = new TextEncoder();

/** The data of every event of `bytes`, fed in pieces of 1 to `most` bytes (cutting UTF-8 characters and CRLFs too). */
function readInPieces(bytes: Uint8Array, random: () => number, most: number): string[] {
  const seen: string[] = [];
  const reader = new SseDataReader({ onData: (data) => seen.push(data) });
  for (let offset = 0; offset < bytes.length; ) {
    const size = 1 + Math.floor(random() * most);
    // A fresh copy each time, then overwritten: the reader must not keep a read's buffer.
    const piece = bytes.slice(offset, offset + size);
    reader.feed(piece);
    piece.fill(0x41);
    offset += size;
  }
  return seen;
}

/**
 * What a reference implementation of the format sees in the same text. It leaves the BOM to the
 * decoder, and waits for the byte after a last CR (a LF would make it one CRLF) where this reader
 * ends the line at once, so it is given that LF.
 */
function reference(text: string): string[] {
  const seen: string[] = [];
  const parser = createParser({ onEvent: ({ data }) => seen.push(data) });
  parser.feed(text.replace(/^\uFEFF/, "") + (text.endsWith("\r") ? "\n" : ""));
  return seen;
}

const PARTS = [
  "data: a",
  "data:b",
  "data",
  "data:",
  "data:  two spaces",
  "data: wörld 😀",
  "dat: no",
  "datax: no",
  "Data: no",
  ": comment",
  "event: named",
  "id: 7",
  "retry: 100",
  "field without colon",
  "",
  "",
];
const BREAKS = ["\n", "\r\n", "\r"];

function randomStream(random: () => number): string {
  let text = random() < 0.2 ? "\uFEFF" : "";
  const lines = 1 + Math.floor(random() * 30);
  for (let i = 0; i < lines; i++) {
    text += PARTS[Math.floor(random() * PARTS.length)];
    text += BREAKS[Math.floor(random() * BREAKS.length)];
  }
  return text;
}

describe("SseDataReader", () => {
  test("sees the events a reference parser sees, whatever the line breaks and read boundaries", () => {
    const random = seeded(11);
    for (let round = 0; round < 2_000; round++) {
      const text = randomStream(random);
      const bytes = encoder.encode(text);
      expect(readInPieces(bytes, random, 1 + Math.floor(random() * 12))).toEqual(reference(text));
    }
  });

  test("a model's stream: one event per chunk, joined data lines, a BOM, and an unfinished last event dropped", () => {
    const text = '\uFEFFdata: {"a":1}\n\n: keep-alive\n\ndata: first\r\ndata: second\r\n\r\ndata: [DONE]\n\ndata: cut';
    expect(readInPieces(encoder.encode(text), seeded(3), 4)).toEqual(['{"a":1}', "first\nsecond", "[DONE]"]);
  });

  test("a CR at the end of one read and a LF at the start of the next make one line break", () => {
    const seen: string[] = [];
    const reader = new SseDataReader({ onData: (data) => seen.push(data) });
    reader.feed(encoder.encode("data: x\r"));
    reader.feed(encoder.encode("\n\r"));
    reader.feed(encoder.encode("\ndata: y\n\n"));
    expect(seen).toEqual(["x", "y"]);
  });

  test("a line that runs across many reads is joined once it ends; one past 16 MiB is refused", () => {
    const seen: string[] = [];
    const reader = new SseDataReader({ onData: (data) => seen.push(data) });
    const piece = encoder.encode("x".repeat(1024));
    reader.feed(encoder.encode("data: "));
    for (let i = 0; i < 1024; i++) reader.feed(piece);
    reader.feed(encoder.encode("\n\n"));
    expect(seen).toEqual(["x".repeat(1024 * 1024)]);

    const endless = new SseDataReader({ onData: (data) => seen.push(data) });
    const mebibyte = new Uint8Array(1024 * 1024).fill(0x78);
    endless.feed(encoder.encode("data: "));
    for (let i = 0; i < 15; i++) endless.feed(mebibyte);
    expect(() => endless.feed(mebibyte)).toThrow(SyntaxError);
  });

  test("what onData throws reaches the caller of feed", () => {
    const reader = new SseDataReader({
      onData() {
        throw new SyntaxError("bad");
      },
    });
    expect(() => reader.feed(encoder.encode("data: x\n\n"))).toThrow(SyntaxError);
  });
});
