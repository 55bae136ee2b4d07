/**
 * A sign-in with the OIDC provider between leaving for it and coming back: the PKCE verifier, the
 * `state` and `nonce` sent, and where to return. It lives in the browser, in a signed cookie that
 * expires with the attempt, so any instance can finish what another started and no server keeps
 * per-attempt memory. The cookie is SameSite=Lax (the provider's redirect back is a cross-site
 * top-level GET, which must carry it), HttpOnly, and named `__Host-…` over TLS, so that no sibling
 * subdomain can plant one of its own (a valid cookie from the attacker's own attempt would
 * otherwise sign the victim in as the attacker when paired with the attacker's code and state).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export interface PendingSignIn {
  codeVerifier: string;
  state: string;
  nonce: string;
  /** A path of this site to open once signed in. */
  returnTo: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** How long a person has at the provider (a password manager, a second factor) before starting again. */
export const PENDING_TTL_MS = 10 * 60_000;

const COOKIE_NAME = "sluice_oidc";
// base64url payload, ".", and an unpadded base64url HMAC-SHA256.
const SEALED = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;
// A path of ours: no scheme, no host ("//evil.example", "/\evil.example"), nothing to escape in
// HTML but "&"; a fragment for a conversation's link (`/#/c/<id>`).
const RETURN_PATH = /^\/(?![/\\])[A-Za-z0-9/_.~?=&%#-]{0,500}$/;

/** `path` when it is a path of this site to return to, else the chat page. */
export function safeReturnPath(path: string | null | undefined): string {
  return path && RETURN_PATH.test(path) ? path : "/";
}

/** The pending-sign-in cookie's name: `__Host-` over TLS (browsers accept that prefix only with Secure). */
export function pendingCookieName(secure: boolean): string {
  return secure ? `__Host-${COOKIE_NAME}` : COOKIE_NAME;
}

export class PendingSignIns {
  constructor(private readonly key: Buffer) {}

  /** `pending` as a cookie value. */
  seal(pending: PendingSignIn): string {
    const payload = Buffer.from(JSON.stringify(pending)).toString("base64url");
    return `${payload}.${this.#sign(payload)}`;
  }

  /** The attempt a cookie value stands for, or undefined when it is forged, malformed or expired. */
  open(value: string | undefined, now = Date.now()): PendingSignIn | undefined {
    if (value === undefined || !SEALED.test(value)) return undefined;
    const [payload, signature] = value.split(".") as [string, string];
    const expected = Buffer.from(this.#sign(payload), "latin1");
    const given = Buffer.from(signature, "latin1");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const pending = parsePending(payload);
    return pending && pending.expiresAt > now ? pending : undefined;
  }

  #sign(payload: string): string {
    return createHmac("sha256", this.key).update(payload).digest("base64url");
  }
}

function parsePending(payload: string): PendingSignIn | undefined {
  try {
    const value = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Partial<PendingSignIn>;
    const { codeVerifier, state, nonce, returnTo, expiresAt } = value;
    const texts = [codeVerifier, state, nonce, returnTo];
    if (!texts.every((text) => typeof text === "string") || typeof expiresAt !== "number") return undefined;
    return value as PendingSignIn;
  } catch {
    return undefined;
  }
}
