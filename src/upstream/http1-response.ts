/**
 * An HTTP/1.1 response read from a byte stream as it arrives: the status line and headers, then
 * the body by its framing (chunked, Content-Length, or up to the connection's close), handed over
 * as slices of the reads, without copies, whatever the read boundaries. RFC 9112.
 */

/** A response that breaks HTTP/1.1's rules; `cut` when it was only cut short (the connection closed). */
export class HttpResponseError extends Error {
  override name = "HttpResponseError";
  constructor(
    message: string,
    readonly cut = false,
  ) {
    super(message);
  }
}

export interface ResponseHead {
  status: number;
  statusText: string;
  /** Name and value pairs, in order, as sent. */
  headers: [string, string][];
}

export interface ResponseHandlers {
  head(head: ResponseHead): void;
  body(bytes: Uint8Array): void;
  /** The body is complete; with `reusable`, the connection may carry another request. */
  end(reusable: boolean): void;
}

// A head larger than this is not a model server's: refuse it rather than buffer without end.
const MAX_HEAD_BYTES = 64 * 1024;
const CR = 13;
const LF = 10;
const SEMICOLON = 59;
const SPACE = 32;
const TAB = 9;
// A chunk of 2^48 bytes is far beyond any answer; more digits are a malformed size.
const MAX_SIZE_DIGITS = 12;

/** The value of a hexadecimal digit's byte, or -1. */
function hexValue(byte: number): number {
  if (byte >= 48 && byte <= 57) return byte - 48;
  const lower = byte | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

type Framing = "chunked" | "length" | "close" | "none";

const latin1 = new TextDecoder("latin1");

/** The position just after the first CRLFCRLF at or after `from`, or -1. */
function headEnd(bytes: Uint8Array, from: number): number {
  for (let i = bytes.indexOf(LF, from); i !== -1; i = bytes.indexOf(LF, i + 1)) {
    if (i >= 3 && bytes[i - 1] === CR && bytes[i - 2] === LF && bytes[i - 3] === CR) return i + 1;
  }
  return -1;
}

function parseHead(text: string): ResponseHead {
  const lines = text.split("\r\n");
  const status = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? "");
  if (!status) throw new HttpResponseError(`not an HTTP/1.1 status line: ${JSON.stringify(lines[0]?.slice(0, 80))}`);
  const headers: [string, string][] = [];
  for (const line of lines.slice(1)) {
    if (line === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new HttpResponseError("a header line without a name");
    headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { status: Number(status[1]), statusText: status[2] ?? "", headers };
}

/** How the body of `head` is framed (RFC 9112 §6.3), and its length when it has one. */
function framingOf(head: ResponseHead, bodiless: boolean): { framing: Framing; length: number } {
  if (bodiless || head.status === 204 || head.status === 304) return { framing: "none", length: 0 };
  const value = (name: string) => head.headers.find(([header]) => header === name)?.[1];
  const encoding = value("transfer-encoding");
  if (encoding !== undefined) {
    if (!/(^|,)\s*chunked\s*$/i.test(encoding)) return { framing: "close", length: 0 };
    return { framing: "chunked", length: 0 };
  }
  const length = value("content-length");
  if (length === undefined) return { framing: "close", length: 0 };
  if (!/^\d{1,15}$/.test(length)) throw new HttpResponseError("a Content-Length that is not a number");
  return Number(length) === 0 ? { framing: "none", length: 0 } : { framing: "length", length: Number(length) };
}

/** Reads one response; feed it every read of the connection, then `close()` when it closes. */
export class HttpResponseReader {
  #pending: Uint8Array | undefined;
  #state: "head" | "size" | "data" | "data-end" | "trailers" | "length" | "close" | "done" = "head";
  #remaining = 0;
  #reusable = true;
  /** The chunk size line read so far: its value, its digits, and whether its extensions began. */
  #size = 0;
  #digits = 0;
  #inExtension = false;
  /** Bytes of the current framing line, CR aside. */
  #lineLength = 0;

  /** `bodiless`: the request was HEAD, so no body follows whatever the headers say. */
  constructor(
    private readonly handlers: ResponseHandlers,
    private readonly bodiless = false,
  ) {}

  /** True once the whole response was read. */
  get done(): boolean {
    return this.#state === "done";
  }

  /** Reads `bytes`; throws {@link HttpResponseError} for a malformed response. */
  feed(bytes: Uint8Array): void {
    if (this.#state === "head") this.#readHead(bytes);
    else this.#readBody(bytes);
  }

  /** The connection closed: the end of a body framed by the close, a cut for any other. */
  close(): void {
    if (this.#state === "done") return;
    if (this.#state !== "close") throw new HttpResponseError("the connection closed before the response's end", true);
    this.#finish(false);
  }

  #readHead(bytes: Uint8Array): void {
    const from = this.#pending ? Math.max(0, this.#pending.length - 3) : 0;
    const all = this.#pending ? concat(this.#pending, bytes) : bytes;
    const end = headEnd(all, from);
    if (end === -1) {
      if (all.length > MAX_HEAD_BYTES) throw new HttpResponseError("the response head is too large");
      this.#pending = all === bytes ? bytes.slice() : all;
      return;
    }
    this.#pending = undefined;
    const head = parseHead(latin1.decode(all.subarray(0, end - 4)));
    // An interim response (100 Continue, 103 Early Hints): the real one follows.
    if (head.status >= 100 && head.status < 200) {
      if (end < all.length) this.#readHead(all.subarray(end));
      return;
    }
    const connection = head.headers.find(([name]) => name === "connection")?.[1] ?? "";
    this.#reusable = !/(^|,)\s*close\s*(,|$)/i.test(connection);
    const { framing, length } = framingOf(head, this.bodiless);
    this.handlers.head(head);
    this.#remaining = length;
    if (framing === "none") {
      this.#finish(this.#reusable);
      return;
    }
    this.#state = framing === "chunked" ? "size" : framing;
    if (end < all.length) this.#readBody(all.subarray(end));
  }

  #readBody(bytes: Uint8Array): void {
    let offset = 0;
    while (offset < bytes.length && this.#state !== "done") offset = this.#readPart(bytes, offset);
  }

  /** Reads from `offset` up to the end of one framing part; returns the offset where it stopped. */
  #readPart(bytes: Uint8Array, offset: number): number {
    switch (this.#state) {
      case "length":
      case "data": {
        const take = Math.min(this.#remaining, bytes.length - offset);
        this.handlers.body(bytes.subarray(offset, offset + take));
        this.#remaining -= take;
        if (this.#remaining === 0) {
          if (this.#state === "length") this.#finish(this.#reusable);
          else this.#state = "data-end";
        }
        return offset + take;
      }
      case "close":
        this.handlers.body(offset === 0 ? bytes : bytes.subarray(offset));
        return bytes.length;
      default:
        return this.#readLine(bytes, offset);
    }
  }

  /**
   * The chunked framing's lines, read byte by byte without decoding any text: a chunk's size
   * (hexadecimal, then extensions, which are skipped), the CRLF after its data, the trailers.
   */
  #readLine(bytes: Uint8Array, offset: number): number {
    for (let i = offset; i < bytes.length; i++) {
      const byte = bytes[i] as number;
      if (byte === LF) {
        this.#endLine();
        return i + 1;
      }
      if (byte === CR) continue;
      if (++this.#lineLength > MAX_HEAD_BYTES) throw new HttpResponseError("a chunked framing line is too long");
      if (this.#state === "data-end") throw new HttpResponseError("a chunk's data is longer than its size");
      if (this.#state !== "size" || this.#inExtension) continue;
      const digit = hexValue(byte);
      if (digit >= 0 && this.#digits < MAX_SIZE_DIGITS) {
        this.#size = this.#size * 16 + digit;
        this.#digits++;
      } else if (byte === SEMICOLON || byte === SPACE || byte === TAB) this.#inExtension = true;
      else throw new HttpResponseError("a chunk size that is not hexadecimal");
    }
    return bytes.length;
  }

  #endLine(): void {
    const empty = this.#lineLength === 0;
    this.#lineLength = 0;
    if (this.#state === "data-end") this.#state = "size";
    else if (this.#state === "size") {
      if (this.#digits === 0) throw new HttpResponseError("a chunk size that is not hexadecimal");
      this.#remaining = this.#size;
      this.#size = 0;
      this.#digits = 0;
      this.#inExtension = false;
      this.#state = this.#remaining === 0 ? "trailers" : "data";
    } else if (empty) this.#finish(this.#reusable);
  }

  #finish(reusable: boolean): void {
    this.#state = "done";
    this.handlers.end(reusable);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
