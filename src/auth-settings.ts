/**
 * The access settings (AUTH and what each mode needs), read by config.ts: named tokens, the
 * trusted header, single sign-on with an OpenID Connect provider, sessions, and the admins. Kept
 * apart from config.ts, which reads every other setting, so each file stays one concern.
 */
import { ConfigError, choice, type Env, fileText, flag, integer, list, secret, text } from "./env-values.ts";

export const AUTH_MODES = ["token", "trusted-header", "oidc", "none"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/** Single sign-on with an OpenID Connect provider (AUTH=oidc). */
export interface OidcSettings {
  /** The provider's issuer URL; its discovery document is read from `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  /** Unset: a public client (PKCE alone, no client authentication). */
  clientSecret: string | undefined;
  /** Where the provider sends people back: PUBLIC_URL + /oidc/callback, never the request's Host. */
  redirectUri: string;
  /** Where the provider sends people after signing out of it: PUBLIC_URL + /login. */
  postLogoutRedirectUri: string;
  scopes: string;
  /** The claim that names the user (email by default). */
  userClaim: string;
  /** The claim that lists the user's groups. */
  groupsClaim: string;
  /** Email domains whose users may sign in (lower case). */
  allowedDomains: string[];
  /** Groups whose members may sign in. */
  allowedGroups: string[];
  /** Anyone the provider signs in may use Sluice (no allow-list): only when said explicitly. */
  allowAnyUser: boolean;
  /** Groups whose members are admins. */
  adminGroups: string[];
  /** How far the provider's clock may be from ours, in seconds, for the ID token's times. */
  clockToleranceSeconds: number;
}

export interface AuthSettings {
  /** Unset: `none` on a loopback address, else a generated token (auth/access.ts). */
  mode: AuthMode | undefined;
  /** `name:token,name:token`, from AUTH_TOKENS or the file AUTH_TOKENS_FILE (one pair per line or comma). */
  tokens: string | undefined;
  /** The header an authenticating proxy sets to the user's name. */
  trustedHeader: string;
  /** CIDRs the trusted header is accepted from; from any other address it is ignored. */
  trustedProxies: string[];
  /** Signs session cookies; unset: generated once and kept in DATA_DIR. Share it across instances. */
  sessionSecret: string | undefined;
  sessionTtlMs: number;
  /** With AUTH=oidc only. */
  oidc: OidcSettings | undefined;
  /** Users who may use the admin page and API (/admin), whatever the mode. */
  adminUsers: string[];
}

/** Names a person may be known by: no separators that could confuse logs, keys or paths. */
export const USER_NAME = /^[\w.@+-]{1,128}$/;

export function loadAuthSettings(env: Env, publicUrl: string | undefined): AuthSettings {
  const mode = choice(env, "AUTH", AUTH_MODES);
  const tokensFile = env.AUTH_TOKENS_FILE?.trim();
  const tokens = tokensFile ? fileText("AUTH_TOKENS_FILE", tokensFile) : env.AUTH_TOKENS?.trim() || undefined;
  if (mode === "token" && !tokens)
    throw new ConfigError("AUTH_TOKENS", "AUTH=token needs named tokens, e.g. AUTH_TOKENS=alice:s3cret,bob:t0ken");
  const trustedProxies = list(env, "AUTH_TRUSTED_PROXIES");
  if (mode === "trusted-header" && trustedProxies.length === 0)
    throw new ConfigError("AUTH_TRUSTED_PROXIES", "AUTH=trusted-header needs the proxy's addresses, e.g. 10.0.0.0/8");
  const adminUsers = list(env, "ADMIN_USERS");
  const badAdmin = adminUsers.find((user) => !USER_NAME.test(user));
  if (badAdmin !== undefined) throw new ConfigError("ADMIN_USERS", `"${badAdmin.slice(0, 40)}" is not a user name`);
  return {
    mode,
    tokens,
    trustedHeader: text(env, "AUTH_TRUSTED_HEADER", "x-forwarded-user").toLowerCase(),
    trustedProxies,
    sessionSecret: secret(env, "SESSION_SECRET"),
    sessionTtlMs: integer(env, "SESSION_TTL_MS", 30 * 86_400_000, 60_000, 365 * 86_400_000),
    oidc: mode === "oidc" ? loadOidcSettings(env, publicUrl) : undefined,
    adminUsers,
  };
}

// An http:// issuer is a provider on this machine (a test, a local Keycloak); anywhere else the
// ID token's keys and the code exchange would cross the network in clear.
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

function loadOidcSettings(env: Env, publicUrl: string | undefined): OidcSettings {
  // Kept as written, a trailing slash too: the discovery document must name this very issuer.
  const issuer = text(env, "OIDC_ISSUER", "");
  if (!URL.canParse(issuer))
    throw new ConfigError(
      "OIDC_ISSUER",
      "AUTH=oidc needs the provider's issuer URL, e.g. https://sso.example.com/realms/staff",
    );
  const { protocol, hostname } = new URL(issuer);
  if (protocol !== "https:" && !LOOPBACK_HOSTS.has(hostname))
    throw new ConfigError("OIDC_ISSUER", "must be https:// (http:// only for a provider on this machine)");
  const clientId = text(env, "OIDC_CLIENT_ID", "");
  if (!clientId) throw new ConfigError("OIDC_CLIENT_ID", "AUTH=oidc needs the client id registered with the provider");
  if (!publicUrl)
    throw new ConfigError(
      "PUBLIC_URL",
      "AUTH=oidc needs the address people use (the provider sends them back to PUBLIC_URL/oidc/callback)",
    );
  const scopes = text(env, "OIDC_SCOPES", "openid email profile");
  if (!scopes.split(/\s+/).includes("openid")) throw new ConfigError("OIDC_SCOPES", 'must include "openid"');
  const settings: OidcSettings = {
    issuer,
    clientId,
    clientSecret: secret(env, "OIDC_CLIENT_SECRET"),
    redirectUri: `${publicUrl}/oidc/callback`,
    postLogoutRedirectUri: `${publicUrl}/login`,
    scopes,
    userClaim: text(env, "OIDC_USER_CLAIM", "email"),
    groupsClaim: text(env, "OIDC_GROUPS_CLAIM", "groups"),
    allowedDomains: list(env, "OIDC_ALLOWED_DOMAINS").map((domain) => domain.toLowerCase().replace(/^@/, "")),
    allowedGroups: list(env, "OIDC_ALLOWED_GROUPS"),
    allowAnyUser: flag(env, "OIDC_ALLOW_ANY_USER", false),
    adminGroups: list(env, "OIDC_ADMIN_GROUPS"),
    // openid-client's own default: enough for clocks kept by NTP, too little to stretch a token's life.
    clockToleranceSeconds: integer(env, "OIDC_CLOCK_TOLERANCE_S", 30, 0, 300),
  };
  // A provider such as Google or a multi-tenant directory signs in anyone with an account there.
  if (settings.allowedDomains.length === 0 && settings.allowedGroups.length === 0 && !settings.allowAnyUser)
    throw new ConfigError(
      "OIDC_ALLOWED_DOMAINS",
      "AUTH=oidc needs an allow-list: OIDC_ALLOWED_DOMAINS (e.g. example.com) or OIDC_ALLOWED_GROUPS; " +
        "OIDC_ALLOW_ANY_USER=true lets in everyone the provider signs in",
    );
  return settings;
}

/** The access settings for the start-up log, secrets masked. */
export function describeAuth(auth: AuthSettings): Record<string, unknown> {
  return {
    ...auth,
    tokens: auth.tokens ? "(masked)" : "(none)",
    sessionSecret: auth.sessionSecret ? "(masked)" : "(generated, in DATA_DIR)",
    oidc: auth.oidc && { ...auth.oidc, clientSecret: auth.oidc.clientSecret ? "(masked)" : "(none: public client)" },
  };
}
