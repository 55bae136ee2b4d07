/**
 * The `data` of each event of a Server-Sent Events byte stream, as the reads bring it: the
 * WHATWG event-stream format (lines ended by CRLF, LF or CR, a leading BOM, `:` comments, one
 * space after the colon, `data` lines joined by LF), every other field ignored.
 *
 * It works on the bytes as they arrive: lines are found with native scans of the read, and only a
 * `data` line's value is decoded. A line is whole UTF-8 (a line break is never part of a
 * multi-byte character), so there is no decoder state per stream, and nothing is copied unless a
 * line runs across reads (then once per read, and once when it ends; at most 16 MiB a line).
 */

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const BOM = [0xef, 0xbb, 0xbf];
const DATA = [0x64, 0x61, 0x74, 0x61];

const decoder = new TextDecoder();
// A line longer than this is no model's event: refused, rather than held without end.
const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** Who hears of each event's data, in order, before {@link SseDataReader.feed} returns. */
export interface SseDataListener {
  onData(data: string): void;
}

export class SseDataReader {
  /**
   * The start of a line that the reads so far did not finish, a piece per read (copies: a read's
   * buffer is reused), joined once when the line ends.
   */
  #partial: Uint8Array[] = [];
  #partialBytes = 0;
  /** The event's `data` so far, its lines joined; undefined before its first `data` line. */
  #data: string | undefined;
  /** The last read ended with CR: a LF that starts the next one ends no second line. */
  #afterCR = false;
  /** Whether the stream's first bytes (and a BOM among them) were looked at. */
  #started = false;

  constructor(private readonly listener: SseDataListener) {}

  /** Reads one network read; `bytes` is not kept past the call. */
  feed(bytes: Uint8Array): void {
    let input = bytes;
    if (this.#partialBytes > 0) {
      if (this.#started && bytes.indexOf(LF) === -1 && bytes.indexOf(CR) === -1) {
        this.#keep(bytes);
        return;
      }
      input = joined(this.#partial, this.#partialBytes, bytes);
      this.#partial = [];
      this.#partialBytes = 0;
    }
    let start = 0;
    if (!this.#started) {
      // A BOM may arrive a byte at a time.
      if (input.length < BOM.length && input.every((byte, i) => byte === BOM[i])) {
        this.#keep(input);
        return;
      }
      this.#started = true;
      if (BOM.every((byte, i) => input[i] === byte)) start = BOM.length;
    }
    if (this.#afterCR && input[start] === LF) start++;
    this.#afterCR = false;
    // Most streams end their lines with LF alone: then one native scan finds each line's end.
    const crs = input.indexOf(CR, start) !== -1;
    while (start < input.length) {
      let end = input.indexOf(LF, start);
      if (crs) {
        const cr = input.indexOf(CR, start);
        if (cr !== -1 && (end === -1 || cr < end)) end = cr;
      }
      if (end === -1) {
        this.#keep(input.subarray(start));
        return;
      }
      this.#line(input, start, end);
      start = end + 1;
      if (input[end] === CR) {
        if (start === input.length) this.#afterCR = true;
        else if (input[start] === LF) start++;
      }
    }
  }

  /** One complete line, `input[start, end)`, without its line break. */
  #line(input: Uint8Array, start: number, end: number): void {
    if (start === end) {
      this.#dispatch();
      return;
    }
    const length = end - start;
    if (length < DATA.length || (length > DATA.length && input[start + DATA.length] !== COLON)) return;
    for (let i = 0; i < DATA.length; i++) if (input[start + i] !== DATA[i]) return;
    let from = start + DATA.length + 1;
    if (from < end && input[from] === SPACE) from++;
    const value = from >= end ? "" : decoder.decode(input.subarray(from, end));
    this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
  }

  /** Keeps the start of an unfinished line; throws `SyntaxError` past {@link MAX_LINE_BYTES}. */
  #keep(bytes: Uint8Array): void {
    this.#partialBytes += bytes.length;
    if (this.#partialBytes > MAX_LINE_BYTES)
      throw new SyntaxError(`an event-stream line longer than ${MAX_LINE_BYTES} bytes`);
    this.#partial.push(bytes.slice());
  }

  #dispatch(): void {
    const data = this.#data;
    if (data === undefined) return;
    this.#data = undefined;
    this.listener.onData(data);
  }
}

function joined(pieces: Uint8Array[], length: number, last: Uint8Array): Uint8Array {
  const all = new Uint8Array(length + last.length);
  let offset = 0;
  for (const piece of pieces) {
    all.set(piece, offset);
    offset += piece.length;
  }
  all.set(last, offset);
  return all;
}
