/**
 * Request bodies: JSON only, read with a size limit (413 past it, whether or not the client sent
 * Content-Length) and a deadline (408 past BODY_TIMEOUT_MS: a body sent a byte at a time would
 * otherwise hold its connection and its share of memory for as long as the client likes), each
 * chunk reserved in the in-flight budget as it arrives; malformed JSON answered 400 naming the body.
 * A body is read into one buffer (of its declared length, when it has one) and decoded once: read
 * as text a chunk at a time, it would exist as its chunks, their joined string and the parse.
 */
import { SluiceError, ValidationError } from "../errors.ts";
import {
  BODY_BYTE_WEIGHT,
  CHUNKED_BODY_BYTE_WEIGHT,
  JSON_TEXT_WEIGHT,
  type Reservation,
} from "../limits/inflight-bytes.ts";
import { memoryCollector } from "../memory-collector.ts";

export class BodyTooLargeError extends SluiceError {
  override name = "BodyTooLargeError";
  constructor(limit: number) {
    super("body_too_large", `the request body exceeds ${limit} bytes`, 413);
  }
}

export class BodyTimeoutError extends SluiceError {
  override name = "BodyTimeoutError";
  constructor(limitMs: number) {
    super("body_timeout", `the request body did not arrive within ${limitMs} ms`, 408);
  }
}

/** How a body may arrive: within `timeoutMs` of the first read, each chunk taken from `reservation`. */
export interface BodyLimits {
  timeoutMs?: number | undefined;
  reservation?: Reservation | undefined;
}

interface ReadLimits extends BodyLimits {
  /** Bytes reserved already (the declared Content-Length): only what arrives beyond them is added. */
  reserved: number;
}

const BODILESS = new Set(["GET", "HEAD", "DELETE", "OPTIONS"]);

/** Reads and parses a JSON body of at most `maxBytes`. */
export async function readJsonBody(request: Request, maxBytes: number, limits: BodyLimits = {}): Promise<unknown> {
  const bytes = await readJsonBytes(request, maxBytes, limits);
  return bytes === undefined ? {} : parseJson(bytes, limits.reservation);
}

/**
 * Reads a JSON body's bytes: at most `maxBytes` (413), `application/json` (415), within the
 * deadline (408), each byte reserved as it arrives (a declared length before the first). Undefined
 * for a request that carries no body.
 */
export async function readJsonBytes(
  request: Request,
  maxBytes: number,
  limits: BodyLimits = {},
): Promise<Uint8Array | undefined> {
  // No body expected (Deno gives a DELETE an empty body stream), or none sent: the route's
  // schema then says what was missing.
  if (BODILESS.has(request.method) || !request.body || request.headers.get("content-length") === "0") return undefined;
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) throw new BodyTooLargeError(maxBytes);
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type))
    throw new SluiceError("unsupported_media_type", "send the body as application/json", 415, { field: "body" });
  // A declared length is reserved whole before the first byte is read, so a request the budget
  // cannot hold is refused before its body arrives, not after the runtime has buffered it.
  const reserved = Number.isFinite(declared) ? declared : 0;
  if (reserved > 0) limits.reservation?.add(reserved * BODY_BYTE_WEIGHT);
  return readBytes(request.body, maxBytes, { ...limits, reserved });
}

/**
 * Parses JSON text, its text and parsed values counted in `reservation` first (they exist beside
 * the bytes until the parse is done); 400 naming the body when it is malformed.
 */
export function parseJson(bytes: Uint8Array, reservation?: Reservation): unknown {
  reservation?.add(bytes.byteLength * JSON_TEXT_WEIGHT);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new ValidationError("body", `malformed JSON (${(cause as Error).message})`);
  }
}

async function readBytes(body: ReadableStream<Uint8Array>, maxBytes: number, limits: ReadLimits): Promise<Uint8Array> {
  const reader = body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    if (limits.timeoutMs === undefined) return;
    const timeoutMs = limits.timeoutMs;
    timer = setTimeout(() => reject(new BodyTimeoutError(timeoutMs)), timeoutMs);
  });
  const bytes = new ArrivingBytes(limits.reserved);
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), timedOut]);
      if (done) return bytes.whole();
      const size = bytes.size + value.byteLength;
      if (size > maxBytes) throw new BodyTooLargeError(maxBytes);
      // Beyond the declared length (or without one), the chunks are kept and joined at the end.
      const beyond = size - Math.max(bytes.size, limits.reserved);
      if (beyond > 0) limits.reservation?.add(beyond * CHUNKED_BODY_BYTE_WEIGHT);
      bytes.add(value);
    }
  } catch (error) {
    // The rest is not wanted: stop the runtime reading it (and holding it) for us.
    void reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** A body's bytes as they arrive: into one buffer of the declared length, else kept as chunks and joined once. */
class ArrivingBytes {
  size = 0;
  readonly #buffer: Uint8Array;
  readonly #beyond: Uint8Array[] = [];

  constructor(declared: number) {
    this.#buffer = new Uint8Array(declared);
  }

  add(chunk: Uint8Array): void {
    const room = Math.max(0, this.#buffer.byteLength - this.size);
    if (room >= chunk.byteLength) {
      this.#buffer.set(chunk, this.size);
      // The runtime's chunk is garbage once copied.
      memoryCollector.released(chunk.byteLength);
    } else if (room === 0) this.#beyond.push(chunk);
    else {
      this.#buffer.set(chunk.subarray(0, room), this.size);
      this.#beyond.push(chunk.subarray(room));
    }
    this.size += chunk.byteLength;
  }

  whole(): Uint8Array {
    if (this.#beyond.length === 0) return this.#buffer.subarray(0, this.size);
    const joined = new Uint8Array(this.size);
    joined.set(this.#buffer);
    let offset = this.#buffer.byteLength;
    for (const chunk of this.#beyond) {
      joined.set(chunk, offset);
      offset += chunk.byteLength;
    }
    memoryCollector.released(this.size);
    return joined;
  }
}
