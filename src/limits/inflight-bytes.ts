/**
 * One budget for the memory every request holds on its way through (INFLIGHT_BYTES_MAX): request
 * bodies while they arrive and are parsed, and the images a model call carries until it ends, each
 * byte weighted by the copies of it that exist meanwhile. Each request or call reserves what it
 * holds and gives it back when done, so memory stays bounded however many questions with images
 * arrive at once: past the budget a request is refused with 429 `server_busy_uploads` (retry
 * shortly), and one that alone exceeds it with 413. Never 503, which says the server is broken.
 */
import type { ModelMessage } from "../contract.ts";
import { SluiceError } from "../errors.ts";
import type { MemoryCollector } from "../memory-collector.ts";

export class InflightBudgetError extends SluiceError {
  override name = "InflightBudgetError";
  constructor() {
    super("server_busy_uploads", "the server is receiving as much as it holds at once; retry shortly", 429, {
      retryable: true,
      retryAfterSeconds: 1,
    });
  }
}

export class RequestTooLargeForBudgetError extends SluiceError {
  override name = "RequestTooLargeForBudgetError";
  constructor(limit: number) {
    super("body_too_large", `the request holds more than the server's ${limit} bytes in flight`, 413);
  }
}

/** What one request or call holds of the budget; it grows as bytes arrive. */
export interface Reservation {
  /** Takes `bytes` more, or throws (429, or 413 when this request alone would exceed the budget). */
  add(bytes: number): void;
  /**
   * Takes `bytes` more whatever the budget holds: for what exists already and cannot be refused
   * any more (a call that is starting); later reservations are then refused until it ends.
   */
  force(bytes: number): void;
  /**
   * Hands `bytes` of what it holds over to whoever holds them from now on (a model call's own
   * reservation, for the images it carries): they stay counted there, and are not let go here.
   */
  handOver(bytes: number): void;
  /** Gives back everything taken (idempotent); what it held is garbage from now on. */
  release(): void;
}

export class InflightBytes {
  #used = 0;

  constructor(
    readonly max: number,
    /** Called with "inflight_bytes" for every refusal (sluice_rejected_total). */
    private readonly rejected: (reason: string) => void = () => {},
    /** Told of every release: what a request held is garbage then, freed only when the collector runs. */
    private readonly collector?: MemoryCollector,
  ) {}

  /** Bytes reserved now, all requests together. */
  get used(): number {
    return this.#used;
  }

  /** Throws when the budget is full already: for callers that prepare work before they reserve. */
  admit(): void {
    if (this.#used < this.max) return;
    this.rejected("inflight_bytes");
    throw new InflightBudgetError();
  }

  /** A new, empty reservation. */
  open(): Reservation {
    return new InflightReservation(this);
  }

  /** Takes `bytes` for `reservation`, which holds `held` already; throws past the budget. */
  take(held: number, bytes: number): void {
    if (held + bytes > this.max) throw new RequestTooLargeForBudgetError(this.max);
    if (this.#used + bytes > this.max) {
      this.rejected("inflight_bytes");
      throw new InflightBudgetError();
    }
    this.#used += bytes;
  }

  /** Takes `bytes` whatever the budget holds. */
  force(bytes: number): void {
    this.#used += bytes;
  }

  /** Gives back `bytes`; `garbage` when they are let go, not handed over. */
  give(bytes: number, garbage: boolean): void {
    this.#used -= bytes;
    if (garbage && bytes > 0) this.collector?.released(bytes);
  }
}

/** One request's or call's share of the budget: an object with methods, no closures (one per request). */
class InflightReservation implements Reservation {
  #held = 0;

  constructor(private readonly budget: InflightBytes) {}

  add(bytes: number): void {
    this.budget.take(this.#held, bytes);
    this.#held += bytes;
  }

  force(bytes: number): void {
    this.budget.force(bytes);
    this.#held += bytes;
  }

  handOver(bytes: number): void {
    const given = Math.min(bytes, this.#held);
    this.#held -= given;
    this.budget.give(given, false);
  }

  release(): void {
    this.budget.give(this.#held, true);
    this.#held = 0;
  }
}

/**
 * How many bytes released make the collector run (memory-collector.ts): an eighth of the budget,
 * from 8 to 64 MiB, so that what was let go and is not yet freed stays a small share of it.
 */
export function collectionThreshold(max: number): number {
  return Math.min(64 * 1024 * 1024, Math.max(8 * 1024 * 1024, Math.floor(max / 8)));
}

/**
 * What one byte of a request body costs while it is read: the one buffer it is read into, of its
 * declared length (http/body.ts).
 */
export const BODY_BYTE_WEIGHT = 1;

/** A byte beyond the declared length (or with none): its chunk, and the buffer they are joined into. */
export const CHUNKED_BODY_BYTE_WEIGHT = 2;

/**
 * What one byte of JSON text costs while it is parsed: its string and the parsed strings, each up
 * to two bytes per byte (UTF-16). An image sent in a form the body reader cannot lift out of the
 * text (http/lifted-data-urls.ts) is parsed with it; its decoded bytes and the store's copy of
 * them (1.5 bytes per base64 byte) fit the same four.
 */
export const JSON_TEXT_WEIGHT = 4;

/**
 * What one decoded byte of an image sent with a question costs until the request ends: the bytes,
 * and the copy the store makes of them (the SQLite worker's, or PostgreSQL's query).
 */
export const DECODED_IMAGE_BYTE_WEIGHT = 2;

/**
 * What one byte of a stored image costs while a turn prepares its model call: the bytes loaded,
 * moved from the store's worker rather than copied.
 */
export const STORED_IMAGE_BYTE_WEIGHT = 1;

/**
 * What a model call's images hold until it ends: an image's bytes once (the request writes its
 * base64 as it is sent: upstream/request-body.ts); an image given as a `data:` URL, its string,
 * the request's JSON, the HTTP message and its bytes.
 */
export function callImageBytes(messages: readonly ModelMessage[]): number {
  let bytes = 0;
  for (const message of messages) {
    if (typeof message.content === "string") continue;
    for (const part of message.content)
      if (part.type === "image_bytes") bytes += part.data.byteLength;
      else if (part.type === "image_url") bytes += part.image_url.url.length * 4;
  }
  return bytes;
}
