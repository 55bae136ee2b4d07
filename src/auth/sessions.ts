/**
 * Browser sessions as signed cookies: `<payload>.<HMAC-SHA256>`, where the payload names the user,
 * a random session id and the expiry. Any instance with the same secret accepts a session made by
 * another, and a restart keeps them valid; nothing is looked up per request. Sign-out revokes the
 * session id until it would have expired anyway (a short list, kept in DATA_DIR).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";

export interface Session {
  user: string;
  id: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

// base64url payload, ".", and the 43 characters of an unpadded base64url HMAC-SHA256: nothing more.
const SESSION_VALUE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/;

export class SessionSigner {
  readonly #revoked = new Map<string, number>();
  /**
   * Compare the signature as the exact text it was issued as. Off only in a negative control: then
   * it is compared as decoded bytes, which base64 decoders reach from several spellings (trailing
   * junk, a last character whose spare bits differ).
   */
  strict = true;
  /** Tells the other instances of a sign-out (cluster/shared-revocations.ts); none alone. */
  onRevoke: (id: string, expiresAt: number) => Promise<void> = async () => {};

  /** `revokedFile` keeps sign-outs across restarts; omitted, they last as long as the process. */
  constructor(
    private readonly secret: string,
    private readonly ttlMs: number,
    private readonly revokedFile?: string,
  ) {
    if (revokedFile && existsSync(revokedFile)) {
      const saved = JSON.parse(readFileSync(revokedFile, "utf8")) as Record<string, number>;
      for (const [id, expiresAt] of Object.entries(saved)) this.#revoked.set(id, expiresAt);
    }
  }

  /** A new session for `user`, as a cookie value. */
  issue(user: string, now = Date.now()): { value: string; session: Session } {
    const session = {
      user,
      id: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url"),
      expiresAt: now + this.ttlMs,
    };
    const payload = Buffer.from(JSON.stringify([session.user, session.id, session.expiresAt])).toString("base64url");
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
    if (!session || session.expiresAt <= now || this.#revoked.has(session.id)) return undefined;
    return session;
  }

  /** Ends a session now (sign-out). */
  async revoke(session: Session, now = Date.now()): Promise<void> {
    this.remember(session.id, session.expiresAt);
    await this.onRevoke(session.id, session.expiresAt);
    for (const [id, expiresAt] of this.#revoked) if (expiresAt <= now) this.#revoked.delete(id);
    if (this.revokedFile)
      await writeFile(this.revokedFile, JSON.stringify(Object.fromEntries(this.#revoked)), { mode: 0o600 });
  }

  /** Counts session `id` as signed out until `expiresAt` (a sign-out heard from another instance). */
  remember(id: string, expiresAt: number): void {
    this.#revoked.set(id, expiresAt);
  }

  #sign(payload: string): string {
    return createHmac("sha256", this.secret).update(payload).digest("base64url");
  }
}

/** The session a signed payload names, or undefined when it is not the shape `issue` writes. */
function parseSession(payload: string): Session | undefined {
  try {
    const [user, id, expiresAt] = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as unknown[];
    if (typeof user !== "string" || typeof id !== "string" || typeof expiresAt !== "number") return undefined;
    return { user, id, expiresAt };
  } catch {
    return undefined;
  }
}
