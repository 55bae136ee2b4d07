/**
 * Large `data:` URLs lifted out of a JSON body's bytes before it is parsed, and decoded from those
 * bytes. Parsed with the rest, a question's images would exist as the body's text, as its parsed
 * strings and as their decoded bytes at once; lifted, the body's bytes are read once and each
 * image decoded from them. A URL stands in the JSON as a marker no text can hold (a fresh UUID);
 * the route takes its bytes by that marker (image-parts.ts).
 *
 * Only a plain string is lifted: `"data:…,…"` with no escape in it (an escaped `\/`, as some
 * encoders write, is parsed as text) and an unescaped opening quote. The quotes stay where they
 * were, so the JSON's shape is the same and a body that was malformed stays malformed.
 */
import { memoryCollector } from "../memory-collector.ts";
import { decodedSize } from "./base64-bytes.ts";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const DATA = Buffer.from("data:");

// Shorter URLs are parsed with the rest: lifting them saves less than it costs.
const MIN_LIFTED_BYTES = 4_096;
// Base64 decoded per step: a multiple of 4, so that a step never splits a quantum.
const DECODE_STEP_BYTES = 256 * 1024;
// The alphabet, padding only at the very end, and no whitespace (which the runtime's decoder skips).
const BASE64 = /^[A-Za-z0-9+/]*$/;
const BASE64_END = /^[A-Za-z0-9+/]*={0,2}$/;

/** One lifted URL: what comes before its comma (`data:image/png;base64`), and its base64 bytes. */
export interface LiftedDataUrl {
  header: string;
  base64: Uint8Array;
}

export class LiftedDataUrls {
  readonly #urls = new Map<string, LiftedDataUrl>();
  readonly #marker = `lifted-data-url-${crypto.randomUUID()}-`;
  /** The base64 bytes of every lifted URL. */
  base64Bytes = 0;

  get size(): number {
    return this.#urls.size;
  }

  /** Whether `url` is the marker of one of these. */
  has(url: string): boolean {
    return this.#urls.has(url);
  }

  /** The URL `marker` stands for, given once (its bytes are not kept here after that). */
  take(marker: string): LiftedDataUrl | undefined {
    const url = this.#urls.get(marker);
    this.#urls.delete(marker);
    return url;
  }

  /** The URL `marker` stands for as the string it was, given once (for a part read as text). */
  restore(marker: string): string | undefined {
    const url = this.take(marker);
    return (
      url &&
      `${url.header},${Buffer.from(url.base64.buffer, url.base64.byteOffset, url.base64.byteLength).toString("latin1")}`
    );
  }

  /** Keeps `url`, and answers the marker that stands for it in the JSON. */
  add(url: LiftedDataUrl): string {
    const marker = `${this.#marker}${this.#urls.size}`;
    this.#urls.set(marker, url);
    this.base64Bytes += url.base64.byteLength;
    return marker;
  }
}

/** The body's JSON with its large `data:` URLs replaced by markers, and those URLs. */
export function liftDataUrls(bytes: Uint8Array): { json: Uint8Array; lifted: LiftedDataUrls } {
  const lifted = new LiftedDataUrls();
  const kept: Uint8Array[] = [];
  let copied = 0;
  // Byte searches only (Deno's Buffer searches for a string in JavaScript, a byte at a time).
  for (let open = bytes.indexOf(QUOTE); open !== -1; open = bytes.indexOf(QUOTE, open + 1)) {
    if (!opensDataUrl(bytes, open) || escapedAt(bytes, open)) continue;
    const close = bytes.indexOf(QUOTE, open + 1);
    if (close === -1) break;
    const comma = bytes.indexOf(COMMA, open);
    if (comma > close || close - comma - 1 < MIN_LIFTED_BYTES) continue;
    if (bytes.subarray(open, close).includes(BACKSLASH)) continue;
    const header = Buffer.from(bytes.buffer, bytes.byteOffset + open + 1, comma - open - 1).toString("latin1");
    const marker = lifted.add({ header, base64: bytes.subarray(comma + 1, close) });
    kept.push(bytes.subarray(copied, open + 1), Buffer.from(marker));
    copied = close;
    open = close;
  }
  if (lifted.size === 0) return { json: bytes, lifted };
  kept.push(bytes.subarray(copied));
  return { json: Buffer.concat(kept), lifted };
}

function opensDataUrl(bytes: Uint8Array, quote: number): boolean {
  for (let index = 0; index < DATA.length; index++) if (bytes[quote + 1 + index] !== DATA[index]) return false;
  return true;
}

/** Whether the quote at `index` is escaped (an odd run of backslashes before it): inside a string. */
function escapedAt(body: Uint8Array, index: number): boolean {
  let run = 0;
  while (index - run > 0 && body[index - run - 1] === BACKSLASH) run++;
  return run % 2 === 1;
}

/**
 * Decodes base64 bytes into a buffer of their own, a step at a time (no string of the whole);
 * undefined when they are not base64.
 */
export function decodeBase64Bytes(base64: Uint8Array): Uint8Array | undefined {
  const decoded = new Uint8Array(decodedSize(base64));
  let written = 0;
  for (let offset = 0; offset < base64.byteLength; offset += DECODE_STEP_BYTES) {
    const end = Math.min(offset + DECODE_STEP_BYTES, base64.byteLength);
    const text = Buffer.from(base64.buffer, base64.byteOffset + offset, end - offset).toString("latin1");
    if (!(end === base64.byteLength ? BASE64_END : BASE64).test(text)) return undefined;
    try {
      written += decoded.subarray(written).setFromBase64(text).written;
    } catch {
      return undefined;
    }
    // The runtime decodes base64 only from a string, garbage once decoded.
    memoryCollector.released(text.length);
  }
  return written === decoded.byteLength ? decoded : decoded.subarray(0, written);
}
