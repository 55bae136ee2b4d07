/**
 * The error contract: every failure that crosses a module boundary is a SluiceError with an HTTP
 * status and a stable `code` the API returns, and keeps its `cause`.
 */

export class SluiceError extends Error {
  override name = "SluiceError";
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    options: {
      cause?: unknown;
      retryable?: boolean;
      field?: string;
      retryAfterSeconds?: number;
      details?: Record<string, unknown>;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? false;
    this.field = options.field;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }
  readonly retryable: boolean;
  readonly field: string | undefined;
  /** For 429 and 503: when a retry may succeed (the Retry-After header). */
  readonly retryAfterSeconds: number | undefined;
  /** What a client needs beyond the code to act on this error, sent beside it. */
  readonly details: Record<string, unknown> | undefined;

  /** The JSON body of an error response. */
  toJSON(): { error: { code: string; message: string; field?: string } } {
    const field = this.field ? { field: this.field } : {};
    return { error: { ...this.details, code: this.code, message: this.message, ...field } };
  }
}

export class ValidationError extends SluiceError {
  override name = "ValidationError";
  constructor(field: string, message: string) {
    super("invalid_request", `${field}: ${message}`, 400, { field });
  }
}

export class NotFoundError extends SluiceError {
  override name = "NotFoundError";
  constructor(what: string) {
    super("not_found", `${what} not found or expired`, 404);
  }
}

export class TooManyGenerationsError extends SluiceError {
  override name = "TooManyGenerationsError";
  constructor(limit: number) {
    super("too_many_streams", `the server is running its limit of ${limit} generations; retry shortly`, 429, {
      retryable: true,
    });
  }
}

export class DrainingError extends SluiceError {
  override name = "DrainingError";
  constructor() {
    super("draining", "the server is shutting down; retry on another instance", 503, { retryable: true });
  }
}

/** Redis (shared state of several instances) cannot be reached: nothing was started. */
export class SharedStateUnavailableError extends SluiceError {
  override name = "SharedStateUnavailableError";
  constructor() {
    super("shared_state_unavailable", "Sluice cannot reach Redis right now; try again in a moment", 503, {
      retryable: true,
      retryAfterSeconds: 2,
    });
  }
}

export class UnauthorizedError extends SluiceError {
  override name = "UnauthorizedError";
  constructor() {
    super("unauthorized", "sign in, or send Authorization: Bearer <token>", 401);
  }
}

export class CrossSiteError extends SluiceError {
  override name = "CrossSiteError";
  constructor() {
    super("cross_site_request", "requests that change something must come from this site", 403);
  }
}

export class TooManyOpenStreamsError extends SluiceError {
  override name = "TooManyOpenStreamsError";
  constructor(limit: number) {
    super("too_many_open_streams", `the server holds its limit of ${limit} open streams; retry shortly`, 429, {
      retryable: true,
    });
  }
}

export class MemoryBudgetError extends SluiceError {
  override name = "MemoryBudgetError";
  constructor() {
    super("server_busy", "running answers fill the server's memory budget; retry shortly", 429, { retryable: true });
  }
}

export class ConversationBusyError extends SluiceError {
  override name = "ConversationBusyError";
  constructor() {
    super("conversation_busy", "this conversation is answering already; wait for it or stop it", 409);
  }
}

/**
 * The client acted on a view of the conversation that changed since (another device, another
 * tab): the answer names the conversation's current leaf, the branch to read again.
 */
export class ConversationMovedError extends SluiceError {
  override name = "ConversationMovedError";
  constructor(currentLeafId: string | null) {
    super("conversation_moved", "this conversation changed elsewhere; reload it and ask again", 409, {
      details: { current_leaf_id: currentLeafId },
    });
  }
}
