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
  /** Gives back everything taken (idempotent). */
  release(): void;
}

export class InflightBytes {
  #used = 0;

  constructor(
    readonly max: number,
    /** Called with "inflight_bytes" for every refusal (sluice_rejected_total). */
    private readonly rejected: (reason: string) => void = () => {},
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
    let held = 0;
    return {
      add: (bytes) => {
        if (held + bytes > this.max) throw new RequestTooLargeForBudgetError(this.max);
        if (this.#used + bytes > this.max) {
          this.rejected("inflight_bytes");
          throw new InflightBudgetError();
        }
        held += bytes;
        this.#used += bytes;
      },
      force: (bytes) => {
        held += bytes;
        this.#used += bytes;
      },
      release: () => {
        this.#used -= held;
        held = 0;
      },
    };
  }
}

/**
 * What one byte of a request body costs in memory while it is read and parsed: its text, the
 * parsed strings, and an image's decoded bytes all exist at once.
 */
export const BODY_BYTE_WEIGHT = 3;

/**
 * What one byte of a model call's images costs until the call ends: the `data:` URL strings of
 * its context, and the request body the client library builds of them.
 */
export const CALL_IMAGE_BYTE_WEIGHT = 2;

/**
 * What one byte of a stored image costs while a turn prepares its model call: the bytes loaded
 * from the store, their `data:` URL, and the worker's copy as it crosses over.
 */
export const STORED_IMAGE_BYTE_WEIGHT = 3;

/** The bytes of the images (their `data:` URLs) a model call carries: what it holds until it ends. */
export function imageBytes(messages: readonly ModelMessage[]): number {
  let bytes = 0;
  for (const message of messages) {
    if (typeof message.content === "string") continue;
    for (const part of message.content) if (part.type === "image_url") bytes += part.image_url.url.length;
  }
  return bytes;
}
