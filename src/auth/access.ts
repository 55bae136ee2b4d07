/**
 * Who a request comes from, in the mode the operator chose (AUTH):
 * - `token`: named tokens; people sign in once for a session cookie, API clients send
 *   `Authorization: Bearer <token>`;
 * - `trusted-header`: an authenticating proxy (oauth2-proxy, Authelia) names the user in a header,
 *   believed only from AUTH_TRUSTED_PROXIES;
 * - `none`: everyone is the one user `local`; only when set explicitly or on a loopback address.
 * With no AUTH on a non-loopback address, Sluice generates a token (kept in DATA_DIR) and prints
 * a sign-in URL carrying it, as notebook servers do: it never silently serves everyone.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AuthMode, Config } from "../config.ts";
import { AccessTokens, generateToken } from "./access-tokens.ts";
import { inRanges, isLoopback, parseRanges } from "./cidr.ts";
import { type Session, SessionSigner } from "./sessions.ts";

/** The one user of `none` mode. */
export const LOCAL_USER = "local";
/** The user of the generated token. */
export const GENERATED_USER = "admin";
export const SESSION_COOKIE = "sluice_session";

// A user name from a proxy: printable, no separators that could confuse logs or keys.
const HEADER_USER = /^[\w.@+-]{1,128}$/;

export interface Access {
  mode: AuthMode;
  /** The generated token, when Sluice made one (print it once, in a sign-in URL). */
  generatedToken: string | undefined;
  /** The user a request comes from, or undefined when it is nobody we know. */
  identify(request: Request, clientAddress: string | undefined): string | undefined;
  /** A session for the holder of `token`, or undefined when the token is not one of ours. */
  signIn(token: string): { value: string; session: Session } | undefined;
  /** The session a request's cookie carries, if valid. */
  sessionOf(request: Request): Session | undefined;
  signOut(session: Session): Promise<void>;
  /** The session cookies' signer (several instances share its sign-outs). */
  sessions: SessionSigner;
}

/**
 * Reads a value kept in DATA_DIR, making it once with `make` (owner-only permissions). Instances
 * that share DATA_DIR and start together agree: the file is created exclusively, and whoever
 * loses the race reads the winner's value.
 */
function keptValue(dataDir: string, name: string, make: () => string): string {
  const path = join(dataDir, name);
  if (!existsSync(path)) {
    try {
      writeFileSync(path, `${make()}\n`, { mode: 0o600, flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  // The winner may be between creating the file and writing it: wait for the value (start-up only).
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = readFileSync(path, "utf8").trim();
    if (value !== "") return value;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
  throw new Error(`${path} is empty: remove it and start again`);
}

export function cookieValue(request: Request, name: string): string | undefined {
  for (const part of (request.headers.get("cookie") ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Decides the mode from the configuration and prepares its credentials. */
export function createAccess(config: Config, dataDir: string): Access {
  const settings = config.auth;
  const mode: AuthMode = settings.mode ?? (settings.tokens || !isLoopback(config.host) ? "token" : "none");
  const generatedToken =
    mode === "token" && !settings.tokens ? keptValue(dataDir, "access-token", generateToken) : undefined;
  const tokens = new AccessTokens(settings.tokens ?? (generatedToken ? `${GENERATED_USER}:${generatedToken}` : ""));
  const proxies = parseRanges("AUTH_TRUSTED_PROXIES", settings.trustedProxies);
  const secret = settings.sessionSecret ?? keptValue(dataDir, "session-secret", generateToken);
  const signer = new SessionSigner(secret, settings.sessionTtlMs, join(dataDir, "revoked-sessions.json"));
  const sessionOf = (request: Request) => {
    const value = cookieValue(request, SESSION_COOKIE);
    return value ? signer.verify(value) : undefined;
  };
  return {
    mode,
    generatedToken,
    identify(request, clientAddress) {
      if (mode === "none") return LOCAL_USER;
      if (mode === "trusted-header") {
        const user = request.headers.get(settings.trustedHeader)?.trim();
        return user && HEADER_USER.test(user) && inRanges(clientAddress, proxies) ? user : undefined;
      }
      const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
      if (bearer) return tokens.userOf(bearer);
      return sessionOf(request)?.user;
    },
    signIn(token) {
      const user = mode === "token" ? tokens.userOf(token) : undefined;
      return user ? signer.issue(user) : undefined;
    },
    sessionOf,
    signOut: (session) => signer.revoke(session),
    sessions: signer,
  };
}
