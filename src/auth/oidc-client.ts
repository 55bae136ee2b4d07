/**
 * Single sign-on with an OpenID Connect provider, through openid-client (the authorization code
 * flow with PKCE, `state` and `nonce`; the ID token's signature, issuer, audience, nonce and times
 * checked by the library). The provider's metadata is discovered from OIDC_ISSUER on first use and
 * kept; a failed discovery is tried again at the next sign-in, so a provider that was down when
 * Sluice started does not need a restart.
 *
 * Beyond the library: the ID token must not have been issued later than our clock plus
 * OIDC_CLOCK_TOLERANCE_S. openid-client bounds `exp` (and `nbf`) by the tolerance but accepts an
 * `iat` in the future, so a provider whose clock runs ahead would issue tokens that live longer
 * than it says; both directions of skew are thus bounded by the one setting.
 */
import * as client from "openid-client";
import type { OidcSettings } from "../auth-settings.ts";
import { type Claims, needsUserinfo, personOf, type SignedInPerson } from "./oidc-claims.ts";
import { OidcRefusedError, OidcUnavailableError, refusalOf } from "./oidc-errors.ts";
import { PENDING_TTL_MS, type PendingSignIn, PendingSignIns } from "./oidc-pending.ts";

// Each call to the provider (discovery, the code exchange, userinfo) gets this long.
const PROVIDER_TIMEOUT_SECONDS = 10;

/** How Sluice authenticates itself at the token endpoint: Basic (the spec's default) where offered, else in the body. */
function clientAuthentication(settings: OidcSettings, server: client.ServerMetadata): client.ClientAuth {
  if (!settings.clientSecret) return client.None();
  const offered = server.token_endpoint_auth_methods_supported;
  const basic = !offered || offered.includes("client_secret_basic");
  return basic ? client.ClientSecretBasic(settings.clientSecret) : client.ClientSecretPost(settings.clientSecret);
}

async function discover(settings: OidcSettings): Promise<client.Configuration> {
  // http:// only passes config.ts for a provider on this machine.
  const insecure = new URL(settings.issuer).protocol === "http:";
  const execute = insecure ? [client.allowInsecureRequests] : [];
  const options = { execute, timeout: PROVIDER_TIMEOUT_SECONDS };
  const metadata: Partial<client.ClientMetadata> = { [client.clockTolerance]: settings.clockToleranceSeconds };
  const found = await client.discovery(new URL(settings.issuer), settings.clientId, metadata, client.None(), options);
  const server = found.serverMetadata();
  const config = new client.Configuration(server, settings.clientId, metadata, clientAuthentication(settings, server));
  config.timeout = PROVIDER_TIMEOUT_SECONDS;
  for (const extension of execute) extension(config);
  return config;
}

export class OidcSignIn {
  #config: Promise<client.Configuration> | undefined;
  /** Seals and opens the pending-sign-in cookie. */
  readonly pending: PendingSignIns;

  constructor(
    readonly settings: OidcSettings,
    pendingKey: Buffer,
  ) {
    this.pending = new PendingSignIns(pendingKey);
  }

  /** The provider's metadata, discovered once; throws {@link OidcUnavailableError} (and tries again next time). */
  configuration(): Promise<client.Configuration> {
    this.#config ??= discover(this.settings).catch((error: unknown) => {
      this.#config = undefined;
      throw new OidcUnavailableError(error);
    });
    return this.#config;
  }

  /** Where to send the browser to sign in, and the attempt to keep in its cookie meanwhile. */
  async start(returnTo: string, now = Date.now()): Promise<{ url: URL; pending: PendingSignIn }> {
    const config = await this.configuration();
    const codeVerifier = client.randomPKCECodeVerifier();
    const pending = {
      codeVerifier,
      state: client.randomState(),
      nonce: client.randomNonce(),
      returnTo,
      expiresAt: now + PENDING_TTL_MS,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      scope: this.settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: "S256",
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /**
   * Finishes the attempt `pending` with the provider's redirect back (its query): checks `state`,
   * exchanges the code (PKCE), verifies the ID token, and applies the allow-list.
   */
  async finish(query: URLSearchParams, pending: PendingSignIn): Promise<SignedInPerson> {
    if (query.get("state") !== pending.state)
      throw new OidcRefusedError(
        "oidc_state_mismatch",
        "this sign-in was not started by this browser; sign in again",
        400,
        "state",
      );
    const config = await this.configuration();
    // The address the provider redirected to is ours by configuration, never the request's Host.
    const current = new URL(this.settings.redirectUri);
    current.search = query.toString();
    try {
      const tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims() as Claims;
      this.#checkIssuedAt(claims);
      return personOf(await this.#withUserinfo(config, claims, tokens.access_token), this.settings);
    } catch (error) {
      throw refusalOf(error);
    }
  }

  /** Where to send the browser to sign out of the provider too, when it offers that (RP-Initiated Logout 1.0). */
  async endSessionUrl(): Promise<string | undefined> {
    const config = await this.configuration().catch(() => undefined);
    if (!config?.serverMetadata().end_session_endpoint) return undefined;
    // client_id rather than id_token_hint (§2: either lets the provider check the return address),
    // so that no ID token has to be kept in the browser.
    const parameters = {
      client_id: this.settings.clientId,
      post_logout_redirect_uri: this.settings.postLogoutRedirectUri,
    };
    return client.buildEndSessionUrl(config, parameters).href;
  }

  #checkIssuedAt(claims: Claims, now = Date.now() / 1000): void {
    const issuedAt = claims.iat;
    if (typeof issuedAt === "number" && issuedAt <= now + this.settings.clockToleranceSeconds) return;
    throw new OidcRefusedError(
      "oidc_id_token_invalid",
      `the sign-in provider's ID token failed its "iat" check (its clock is more than ${this.settings.clockToleranceSeconds} s ahead)`,
      401,
      "id_token.iat",
    );
  }

  /** The ID token's claims, completed from the userinfo endpoint when they lack what the policy reads. */
  async #withUserinfo(config: client.Configuration, claims: Claims, accessToken: string): Promise<Claims> {
    if (!needsUserinfo(claims, this.settings) || !config.serverMetadata().userinfo_endpoint) return claims;
    const userinfo = await client.fetchUserInfo(config, accessToken, claims.sub as string);
    // The signed ID token's values stand; userinfo (same provider, same subject) fills the gaps.
    return { ...userinfo, ...claims };
  }
}
