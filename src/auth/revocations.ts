/**
 * What signs a session cookie out before it expires: a sign-out ends one session (by its id),
 * and an admin's "sign out everywhere" ends every session of a user issued until then (a user
 * "signed out before T"). Cookies are checked without a lookup elsewhere, so both lists live in
 * memory, are saved in DATA_DIR (they survive a restart) and, with REDIS_URL, are shared by every
 * instance (cluster/shared-revocations.ts). Each entry is forgotten once it can no longer matter:
 * a session's at its expiry, a user's once every session issued before it has expired.
 */
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";

export interface RevocationFiles {
  /** Signed-out sessions: `{id: expiresAt}`. */
  sessions: string;
  /** Users signed out everywhere: `{user: signedOutBefore}`. */
  users: string;
}

function load(path: string | undefined): [string, number][] {
  if (!path || !existsSync(path)) return [];
  return Object.entries(JSON.parse(readFileSync(path, "utf8")) as Record<string, number>);
}

export class Revocations {
  readonly #sessions: Map<string, number>;
  readonly #users: Map<string, number>;

  constructor(
    private readonly sessionTtlMs: number,
    private readonly files?: RevocationFiles,
  ) {
    this.#sessions = new Map(load(files?.sessions));
    this.#users = new Map(load(files?.users));
  }

  /** Whether the session `id` of `user`, issued at `issuedAt`, has been signed out. */
  revoked(id: string, user: string, issuedAt: number): boolean {
    if (this.#sessions.has(id)) return true;
    const before = this.#users.get(user);
    // Equal counts as before: a session issued in the very millisecond of the sign-out is ended too.
    return before !== undefined && issuedAt <= before;
  }

  /** Counts session `id` as signed out until `expiresAt`. */
  rememberSession(id: string, expiresAt: number): void {
    this.#sessions.set(id, expiresAt);
  }

  /** Counts every session of `user` issued until `before` as signed out (a later time replaces an earlier one). */
  rememberUser(user: string, before: number): void {
    this.#users.set(user, Math.max(before, this.#users.get(user) ?? 0));
  }

  /** Forgets what can no longer matter, and saves the rest. */
  async prune(now = Date.now()): Promise<void> {
    for (const [id, expiresAt] of this.#sessions) if (expiresAt <= now) this.#sessions.delete(id);
    for (const [user, before] of this.#users) if (before + this.sessionTtlMs <= now) this.#users.delete(user);
    if (!this.files) return;
    await Promise.all([
      writeFile(this.files.sessions, JSON.stringify(Object.fromEntries(this.#sessions)), { mode: 0o600 }),
      writeFile(this.files.users, JSON.stringify(Object.fromEntries(this.#users)), { mode: 0o600 }),
    ]);
  }
}
