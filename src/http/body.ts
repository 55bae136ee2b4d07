/**
 * Request bodies: JSON only, read with a size limit (413 past it, whether or not the client sent
 * Content-Length) and a deadline (408 past BODY_TIMEOUT_MS: a body sent a byte at a time would
 * otherwise hold its connection and its share of memory for as long as the client likes), each
 * chunk reserved in the in-flight budget as it arrives; malformed JSON answered 400 naming the body.
 */
import { SluiceError, ValidationError } from "../errors.ts";
import { BODY_BYTE_WEIGHT, type Reservation } from "../limits/inflight-bytes.ts";

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
  // No body expected (Deno gives a DELETE an empty body stream), or none sent: the route's
  // schema then says what was missing.
  if (BODILESS.has(request.method) || !request.body || request.headers.get("content-length") === "0") return {};
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) throw new BodyTooLargeError(maxBytes);
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type))
    throw new SluiceError("unsupported_media_type", "send the body as application/json", 415, { field: "body" });
  // A declared length is reserved whole before the first byte is read, so a request the budget
  // cannot hold is refused before its body arrives, not after the runtime has buffered it.
  const reserved = Number.isFinite(declared) ? declared : 0;
  if (reserved > 0) limits.reservation?.add(reserved * BODY_BYTE_WEIGHT);
  const text = await readText(request.body, maxBytes, { ...limits, reserved });
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ValidationError("body", `malformed JSON (${(cause as Error).message})`);
  }
}

async function readText(body: ReadableStream<Uint8Array>, maxBytes: number, limits: ReadLimits): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    if (limits.timeoutMs === undefined) return;
    const timeoutMs = limits.timeoutMs;
    timer = setTimeout(() => reject(new BodyTimeoutError(timeoutMs)), timeoutMs);
  });
  let size = 0;
  let text = "";
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), timedOut]);
      if (done) return text + decoder.decode();
      const beyond = Math.max(0, size + value.byteLength - Math.max(size, limits.reserved));
      size += value.byteLength;
      if (size > maxBytes) throw new BodyTooLargeError(maxBytes);
      if (beyond > 0) limits.reservation?.add(beyond * BODY_BYTE_WEIGHT);
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    // The rest is not wanted: stop the runtime reading it (and holding it) for us.
    void reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
