/**
 * What a file sent as a document is, by its bytes alone (documents/document-kind.ts): a PDF by its
 * header, text when it decodes as UTF-8 (or UTF-16 with its byte order mark) and holds none of the
 * control characters file(1) never finds in text; anything else is neither.
 */
import { expect, test } from "bun:test";
import { decodeText, judgeDocument } from "../../src/documents/document-kind.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);

test("a PDF is known by its header, whatever follows", () => {
  expect(judgeDocument(utf8("%PDF-1.7\n..."))).toEqual({ kind: "pdf" });
  // Only at the start: a text about PDFs stays text.
  expect(judgeDocument(utf8("About %PDF-1.7 headers")).kind).toBe("text");
});

test("text of every everyday kind is text: prose, Markdown, code with tabs, CSV with CRLF, JSON, ANSI-coloured logs", () => {
  for (const body of [
    "Plain, été 東京 🗼",
    "# Title\n- item",
    "if x:\n\treturn 1",
    "a,b\r\n1,2\r\n",
    '{"a":[1]}',
    "\x1b[31mERROR\x1b[0m\f\v\b\x07",
  ])
    expect(judgeDocument(utf8(body))).toEqual({ kind: "text", text: body });
});

test("byte order marks: UTF-8's is dropped, UTF-16 in either order is decoded", () => {
  expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69]))).toBe("hi");
  expect(decodeText(new Uint8Array([0xff, 0xfe, 0x68, 0x00, 0x69, 0x00]))).toBe("hi");
  expect(decodeText(new Uint8Array([0xfe, 0xff, 0x00, 0x68, 0x00, 0x69]))).toBe("hi");
  // UTF-16 without its mark holds NUL bytes: not text.
  expect(decodeText(new Uint8Array([0x68, 0x00, 0x69, 0x00]))).toBeUndefined();
});

test("neither: invalid UTF-8, a NUL, other C0 controls, DEL, an image, an archive", () => {
  const refused = [
    new Uint8Array([0x63, 0x61, 0x66, 0xe9]), // Latin-1 "café"
    new Uint8Array([0x61, 0x00, 0x62]),
    utf8("a\x01b"),
    utf8("a\x1fb"),
    utf8("a\x7fb"),
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]),
    new Uint8Array([0xed, 0xa0, 0x80]), // an encoded lone surrogate is not UTF-8
  ];
  for (const bytes of refused) expect(judgeDocument(bytes).kind).toBeUndefined();
  // Negative control: the same bytes without the offending one are text.
  expect(judgeDocument(utf8("ab")).kind).toBe("text");
});
