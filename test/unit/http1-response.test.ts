import { describe, expect, test } from "bun:test";
import { HttpResponseError, HttpResponseReader, type ResponseHead } from "../../src/upstream/http1-response.ts";
import { seeded } from "./seeded-random.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Read {
  head: ResponseHead | undefined;
  body: string;
  ended: boolean | undefined;
}

/** Feeds `wire` in random pieces of 1 to `most` bytes (cutting UTF-8 characters too); then closes when asked. */
function read(
  wire: string,
  random: () => number,
  options: { most?: number; close?: boolean; bodiless?: boolean } = {},
): Read {
  const result: Read = { head: undefined, body: "", ended: undefined };
  const parts: Uint8Array[] = [];
  const reader = new HttpResponseReader(
    {
      head: (head) => {
        result.head = head;
      },
      body: (bytes) => parts.push(bytes.slice()),
      end: (reusable) => {
        result.ended = reusable;
      },
    },
    options.bodiless,
  );
  const bytes = encoder.encode(wire);
  for (let offset = 0; offset < bytes.length; ) {
    const size = 1 + Math.floor(random() * (options.most ?? 9));
    reader.feed(bytes.subarray(offset, offset + size));
    offset += size;
  }
  if (options.close) reader.close();
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  result.body = decoder.decode(joined);
  return result;
}

const BODY = 'data: {"choices":[{"delta":{"content":" wörld 😀"}}]}\n\ndata: [DONE]\n\n';

function chunked(text: string, sizes: number[]): string {
  const bytes = encoder.encode(text);
  let wire = "";
  let offset = 0;
  for (const size of sizes) {
    if (offset >= bytes.length) break;
    const piece = bytes.subarray(offset, offset + size);
    wire += `${piece.length.toString(16)};ext=1\r\n${decoder.decode(piece, { stream: true })}\r\n`;
    offset += piece.length;
  }
  return wire;
}

describe("HttpResponseReader", () => {
  test("a chunked body, whatever the read boundaries, with trailers; the connection stays reusable", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const random = seeded(seed);
      // Chunks cut on ASCII bytes only, so each chunk's text is whole UTF-8.
      const head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
      const wire = `${head}${chunked(BODY.slice(0, 20), [7, 13])}${chunked(BODY.slice(20), [1000])}0\r\nx-trailer: 1\r\n\r\n`;
      const result = read(wire, random);
      expect(result.head).toEqual({
        status: 200,
        statusText: "OK",
        headers: [
          ["content-type", "text/event-stream"],
          ["transfer-encoding", "chunked"],
        ],
      });
      expect(result.body).toBe(BODY);
      expect(result.ended).toBe(true);
    }
  });

  test("a Content-Length body ends at its length; Connection: close makes it not reusable", () => {
    const length = encoder.encode(BODY).length;
    const wire = `HTTP/1.1 429 Too Many Requests\r\ncontent-length: ${length}\r\nconnection: close\r\n\r\n${BODY}`;
    const result = read(wire, seeded(3));
    expect(result.head?.status).toBe(429);
    expect(result.body).toBe(BODY);
    expect(result.ended).toBe(false);
  });

  test("no framing: the body runs to the connection's close; an interim 100 is skipped", () => {
    const wire = `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n${BODY}`;
    const result = read(wire, seeded(5), { close: true });
    expect(result.head?.status).toBe(200);
    expect(result.body).toBe(BODY);
    expect(result.ended).toBe(false);
  });

  test("204, 304, Content-Length 0 and a HEAD request end at the head", () => {
    for (const head of ["HTTP/1.1 204 No Content\r\n\r\n", "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"])
      expect(read(head, seeded(1)).ended).toBe(true);
    expect(read("HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n", seeded(1), { bodiless: true }).ended).toBe(true);
  });

  test("a cut or malformed response throws HttpResponseError", () => {
    const cut = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nabc";
    expect(() => read(cut, seeded(1), { close: true })).toThrow(expect.objectContaining({ cut: true }));
    expect(() => read("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n", seeded(1))).toThrow(
      expect.objectContaining({ name: "HttpResponseError", cut: false }),
    );
    expect(() => read("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabc\r\n", seeded(1))).toThrow(
      HttpResponseError,
    );
    expect(() => read("SSH-2.0-OpenSSH\r\n\r\n", seeded(1))).toThrow(HttpResponseError);
    expect(() => read(`HTTP/1.1 200 OK\r\nx: ${"a".repeat(70_000)}`, seeded(1), { most: 4096 })).toThrow(
      HttpResponseError,
    );
  });
});
