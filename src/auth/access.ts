/**
 * Who a request comes from, in the mode the operator chose (AUTH):
 * - `token`: named tokens; people sign in once for a session cookie, API clients send
 *   `Authorization: Bearer <token>`;
 * - `trusted-header`: an authenticating proxy (oauth2-proxy, Authelia) names the user in a header,
 *   believed only from AUTH_TRUSTED_PROXIES;
 * - `oidc`: single sign-on with an OpenID Connect provider (oidc-client.ts) for a session cookie;
 *   API clients may still send a token of AUTH_TOKENS, when it names any;
 * - `none`: everyone is the one user `local`; only when set explicitly or on a loopback address.
 * With no AUTH on a non-loopback address, Sluice generates a token (kept in DATA_DIR) and prints
 * a sign-in URL carrying it, as notebook servers do: it never silently serves everyone.
 * In every mode, the users of ADMIN_USERS are admins; under `oidc`, so are the members of the
 * provider's admin groups, as their session says.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { USER_NAME } from "../auth-settings.ts";
import type { AuthMode, Config } from "../config.ts";
import { AccessTokens, generateToken } from "./access-tokens.ts";
import { inRanges, isLoopback, parseRanges } from "./cidr.ts";
import { OidcSignIn } from "./oidc-client.ts";
import { type Session, SessionSigner } from "./sessions.ts";

/** The one user of `none` mode. */
export const LOCAL_USER = "local";
/** The user of the generated token. */
export const GENERATED_USER = "admin";
export const SESSION_COOKIE = "sluice_session";

/** Host names of this machine only: what AUTH=none answers to unless ALLOWED_HOSTS says otherwise. */
export const LOOPBACK_HOSTS: readonly string[] = ["localhost", "127.0.0.1", "[::1]"];

/** Checks a negative control of the attacker suite may turn off; all on otherwise. */
export interface AccessChecks {
  /** Refuse tokens with too few different characters at start. */
  tokenStrength: boolean;
  /** Verify session cookies as the exact text they were issued as. */
  strictSessions: boolean;
}

/** Who a request comes from. */
export interface Identity {
  user: string;
  /** May use the admin page and API: in ADMIN_USERS, or an admin by the provider's groups. */
  admin: boolean;
}

export interface Access {
  mode: AuthMode;
  /** The generated token, when Sluice made one (print it once, in a sign-in URL). */
  generatedToken: string | undefined;
  /** Who a request comes from, or undefined when it is nobody we know. */
  identify(request: Request, clientAddress: string | undefined): Identity | undefined;
  /** Whether a request may carry an `Authorization: Bearer` token (counted by the sign-in throttle). */
  acceptsBearer: boolean;
  /**
   * A session for the holder of `token`, or undefined when the token is not one of ours. A token
   * written `name:<token>` (an AUTH_TOKENS line) must be that user's.
   */
  signIn(token: string): { value: string; session: Session } | undefined;
  /** The user a sign-in attempt names (`name:<token>`), when that user exists: failures count per name too. */
  claimedUser(token: string): string | undefined;
  /** The token of an `Authorization: Bearer` header, if the request has one. */
  bearerOf(request: Request): string | undefined;
  /** The session a request's cookie carries, if valid. */
  sessionOf(request: Request): Session | undefined;
  signOut(session: Session): Promise<void>;
  /** The session cookies' signer (several instances share its sign-outs). */
  sessions: SessionSigner;
  /** Single sign-on with the provider, under AUTH=oidc. */
  oidc: OidcSignIn | undefined;
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

const bearerOf = (request: Request) => /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];

/** Decides the mode from the configuration and prepares its credentials. */
export function createAccess(
  config: Config,
  dataDir: string,
  checks: AccessChecks = { tokenStrength: true, strictSessions: true },
): Access {
  const settings = config.auth;
  const mode: AuthMode = settings.mode ?? (settings.tokens || !isLoopback(config.host) ? "token" : "none");
  const generatedToken =
    mode === "token" && !settings.tokens ? keptValue(dataDir, "access-token", generateToken) : undefined;
  const pairs = settings.tokens ?? (generatedToken ? `${GENERATED_USER}:${generatedToken}` : "");
  const tokens = new AccessTokens(pairs, "AUTH_TOKENS", checks.tokenStrength);
  const claimedUser = (token: string) => {
    const name = token.slice(0, Math.max(0, token.indexOf(":")));
    return name !== "" && tokens.has(name) ? name : undefined;
  };
  const proxies = parseRanges("AUTH_TRUSTED_PROXIES", settings.trustedProxies);
  const secret = settings.sessionSecret ?? keptValue(dataDir, "session-secret", generateToken);
  const signer = new SessionSigner(secret, settings.sessionTtlMs, {
    sessions: join(dataDir, "revoked-sessions.json"),
    users: join(dataDir, "signed-out-users.json"),
  });
  signer.strict = checks.strictSessions;
  const sessionOf = (request: Request) => {
    const value = cookieValue(request, SESSION_COOKIE);
    return value ? signer.verify(value) : undefined;
  };
  const admins = new Set(settings.adminUsers);
  const as = (user: string | undefined, admin = false): Identity | undefined =>
    user === undefined ? undefined : { user, admin: admin || admins.has(user) };
  const acceptsBearer = mode === "token" || (mode === "oidc" && tokens.size > 0);
  return {
    mode,
    generatedToken,
    acceptsBearer,
    identify(request, clientAddress) {
      if (mode === "none") return as(LOCAL_USER);
      if (mode === "trusted-header") {
        const user = request.headers.get(settings.trustedHeader)?.trim();
        return user && USER_NAME.test(user) && inRanges(clientAddress, proxies) ? as(user) : undefined;
      }
      const bearer = acceptsBearer ? bearerOf(request) : undefined;
      if (bearer) return as(tokens.userOf(bearer));
      const session = sessionOf(request);
      return session && as(session.user, session.admin);
    },
    signIn(token) {
      if (mode !== "token") return undefined;
      const claimed = claimedUser(token);
      const named = claimed && tokens.userOf(token.slice(claimed.length + 1)) === claimed ? claimed : undefined;
      const user = tokens.userOf(token) ?? named;
      return user ? signer.issue(user) : undefined;
    },
    claimedUser,
    bearerOf,
    sessionOf,
    signOut: (session) => signer.revoke(session),
    sessions: signer,
    oidc: settings.oidc && new OidcSignIn(settings.oidc, signer.keyFor("oidc sign-in")),
  };
}
