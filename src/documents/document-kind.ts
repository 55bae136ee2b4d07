/**
 * What a file sent as a document is, judged by its bytes alone: the name and type a client gives
 * are never read for it, so a PDF named notes.txt is read as a PDF and a log named report.pdf as
 * text. The rules:
 * - PDF: the bytes start with the header `%PDF-` (ISO 32000-1 §7.5.2: a PDF's first line).
 * - Text: the bytes decode as UTF-8 (or as UTF-16 when they start with its byte order mark, as
 *   Windows tools write logs), with no character that text never holds: the C0 controls but BEL,
 *   BS, TAB, LF, VT, FF, CR and ESC, and DEL, the same set file(1) takes for text (libmagic
 *   encoding.c, `text_chars`). A NUL byte, the mark of every binary format, is one of them.
 * - Anything else (an image, an archive, a spreadsheet's binary form, Latin-1 text) is neither.
 */

export type DocumentKind = "pdf" | "text";

/** What the bytes are: a PDF (still to be parsed), text (decoded), or neither (and why). */
export type JudgedDocument = { kind: "pdf" } | { kind: "text"; text: string } | { kind: undefined; reason: string };

const PDF_HEADER = [0x25, 0x50, 0x44, 0x46, 0x2d]; // "%PDF-"

// Characters file(1) never finds in text: C0 controls but BEL BS HT LF VT FF CR ESC, and DEL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const NOT_TEXT = /[\x00-\x06\x0e-\x1a\x1c-\x1f\x7f]/;

const startsWith = (bytes: Uint8Array, signature: readonly number[]) => signature.every((byte, i) => bytes[i] === byte);

/** The encoding the bytes are in, by their byte order mark (none: UTF-8), and where the text starts. */
function encodingOf(bytes: Uint8Array): { label: "utf-8" | "utf-16le" | "utf-16be"; from: number } {
  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return { label: "utf-8", from: 3 };
  if (startsWith(bytes, [0xff, 0xfe])) return { label: "utf-16le", from: 2 };
  if (startsWith(bytes, [0xfe, 0xff])) return { label: "utf-16be", from: 2 };
  return { label: "utf-8", from: 0 };
}

/** The bytes as text, or undefined when they are not text by the rules above. */
export function decodeText(bytes: Uint8Array): string | undefined {
  const { label, from } = encodingOf(bytes);
  let text: string;
  try {
    // fatal: a byte sequence that is not the encoding throws instead of becoming U+FFFD.
    text = new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(from));
  } catch {
    return undefined;
  }
  return NOT_TEXT.test(text) ? undefined : text;
}

/** Judges `bytes` by the rules above. */
export function judgeDocument(bytes: Uint8Array): JudgedDocument {
  if (startsWith(bytes, PDF_HEADER)) return { kind: "pdf" };
  const text = decodeText(bytes);
  if (text === undefined)
    return { kind: undefined, reason: "is neither a PDF nor text (UTF-8 or UTF-16 with its byte order mark)" };
  return { kind: "text", text };
}
