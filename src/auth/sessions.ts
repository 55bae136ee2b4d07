/**
 * Browser sessions as signed cookies: `<payload>.<HMAC-SHA256>`, where the payload names the user,
 * a random session id, the expiry, when it was issued and whether the provider made its user an
 * admin. Any instance with the same secret accepts a session made by another, and a restart keeps
 * them valid; nothing is looked up per request. Sign-out revokes the session id until it would
 * have expired anyway, and an admin's "sign out everywhere" every session of a user issued until
 * then (revocations.ts).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { type RevocationFiles, Revocations } from "./revocations.ts";

export interface Session {
  user: string;
  id: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Epoch milliseconds; 0 for a cookie issued before sessions carried it (any per-user sign-out ends it). */
  issuedAt: number;
  /** Signed in through the OIDC provider as a member of an admin group (OIDC_ADMIN_GROUPS). */
  admin: boolean;
}

// base64url payload, ".", and the 43 characters of an unpadded base64url HMAC-SHA256: nothing more.
const SESSION_VALUE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

export class SessionSigner {
  readonly #revocations: Revocations;
  /**
   * Compare the signature as the exact text it was issued as. Off only in a negative control: then
   * it is compared as decoded bytes, which base64 decoders reach from several spellings (trailing
   * junk, a last character whose spare bits differ).
   */
  strict = true;
  /** Tells the other instances of a sign-out (cluster/shared-revocations.ts); none alone. */
  onRevoke: (id: string, expiresAt: number) => Promise<void> = async () => {};
  /** Tells the other instances that a user was signed out everywhere; none alone. */
  onRevokeUser: (user: string, before: number) => Promise<void> = async () => {};

  /** `files` keep sign-outs across restarts; omitted, they last as long as the process. */
  constructor(
    private readonly secret: string,
    /** How long a session lasts (SESSION_TTL_MS). */
    readonly ttlMs: number,
    files?: RevocationFiles,
  ) {
    this.#revocations = new Revocations(ttlMs, files);
  }

  /** A new session for `user` (an admin by the provider's groups when `admin`), as a cookie value. */
  issue(user: string, { admin = false } = {}, now = Date.now()): { value: string; session: Session } {
    const session = {
      user,
      id: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url"),
      expiresAt: now + this.ttlMs,
      issuedAt: now,
      admin,
    };
    const fields = [session.user, session.id, session.expiresAt, session.issuedAt, admin ? 1 : 0];
    const payload = Buffer.from(JSON.stringify(fields)).toString("base64url");
    return { value: `${payload}.${this.#sign(payload)}`, session };
  }

  /** The session a cookie value stands for, or undefined when it is forged, expired or signed out. */
  verify(value: string, now = Date.now()): Session | undefined {
    if (this.strict && !SESSION_VALUE.test(value)) return undefined;
    const dot = value.indexOf(".");
    if (dot < 1) return undefined;
    const payload = value.slice(0, dot);
    const encoding = this.strict ? "latin1" : "base64url";
    const given = Buffer.from(value.slice(dot + 1), encoding);
    const expected = Buffer.from(this.#sign(payload), encoding);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const session = parseSession(payload);
    if (!session || session.expiresAt <= now) return undefined;
    return this.#revocations.revoked(session.id, session.user, session.issuedAt) ? undefined : session;
  }

  /** Ends a session now (sign-out). */
  async revoke(session: Session): Promise<void> {
    this.remember(session.id, session.expiresAt);
    await this.onRevoke(session.id, session.expiresAt);
    await this.#revocations.prune();
  }

  /** Ends every session of `user` issued until now, on every instance (an admin's "sign out everywhere"). */
  async revokeUser(user: string, now = Date.now()): Promise<number> {
    this.rememberUser(user, now);
    await this.onRevokeUser(user, now);
    await this.#revocations.prune(now);
    return now;
  }

  /** Counts session `id` as signed out until `expiresAt` (a sign-out heard from another instance). */
  remember(id: string, expiresAt: number): void {
    this.#revocations.rememberSession(id, expiresAt);
  }

  /** Counts every session of `user` issued until `before` as signed out (heard from another instance). */
  rememberUser(user: string, before: number): void {
    this.#revocations.rememberUser(user, before);
  }

  /**
   * A key for another signed value (the OIDC sign-in cookie), derived from the session secret so
   * that instances sharing it agree, and so that no such value can ever pass as a session.
   */
  keyFor(purpose: string): Buffer {
    return createHmac("sha256", this.secret).update(`sluice key: ${purpose}`).digest();
  }

  #sign(payload: string): string {
    return createHmac("sha256", this.secret).update(payload).digest("base64url");
  }
}

/**
 * The session a signed payload names, or undefined when it is not a shape `issue` writes: five
 * fields, or the first three alone (a cookie issued before sessions knew when they began).
 */
function parseSession(payload: string): Session | undefined {
  try {
    const fields = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown[];
    const [user, id, expiresAt, issuedAt = 0, admin = 0] = fields;
    if (fields.length !== 3 && fields.length !== 5) return undefined;
    if (typeof user !== "string" || typeof id !== "string" || typeof expiresAt !== "number") return undefined;
    if (typeof issuedAt !== "number" || (admin !== 0 && admin !== 1)) return undefined;
    return { user, id, expiresAt, issuedAt, admin: admin === 1 };
  } catch {
    return undefined;
  }
}
