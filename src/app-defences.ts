/**
 * The switches of Sluice's own defences, every one on in production: the attacker suite turns one
 * off at a time (SLUICE_DEFENCES_OFF) to show that its check fails without it.
 */
import { ALL_DEFENCES, type EdgeDefences } from "./http/edge.ts";

export interface Defences extends EdgeDefences {
  /** Serve a fixed set of files, read at start, rather than whatever path a request names. */
  fixedFileSet: boolean;
  /** Under AUTH=none, answer only loopback Host names unless ALLOWED_HOSTS lists others. */
  loopbackHosts: boolean;
  /** Count each user's open streams against LIMIT_USER_OPEN_STREAMS. */
  userStreams: boolean;
  /** Count bodies and images in flight against INFLIGHT_BYTES_MAX. */
  inflightBytes: boolean;
  /** Give a body BODY_TIMEOUT_MS to arrive. */
  bodyDeadline: boolean;
  /** A sign-in never replaces another signed-in user without `replace: true`. */
  sessionReplace: boolean;
  /** `/v1` caps every spelling of the token limit and passes only text and data: image parts. */
  passThroughPolicy: boolean;
  /** Refuse tokens with too few different characters at start. */
  tokenStrength: boolean;
  /** Verify session cookies as the exact text they were issued as. */
  strictSessions: boolean;
  /** DATA_DIR owner-only, the database files too. */
  privateFiles: boolean;
  /** A question's generation is admitted, its slots held, before the question is stored. */
  reservedStart: boolean;
  /** Store calls take turns by user, each user with a bounded queue (conversations/fair-store.ts). */
  storeFairness: boolean;
  /** What a user types reaches PostgreSQL's text search only as quoted lexemes (conversations/postgres-search.ts). */
  searchQuoting: boolean;
}

/** Every defence on: production. */
export const ALL_APP_DEFENCES: Defences = {
  ...ALL_DEFENCES,
  fixedFileSet: true,
  loopbackHosts: true,
  userStreams: true,
  inflightBytes: true,
  bodyDeadline: true,
  sessionReplace: true,
  passThroughPolicy: true,
  tokenStrength: true,
  strictSessions: true,
  privateFiles: true,
  reservedStart: true,
  storeFairness: true,
  searchQuoting: true,
};
