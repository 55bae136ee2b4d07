/**
 * Starts the tests' OpenID provider (oidc-provider-main.ts) as its own process, always on Bun
 * (it is the provider, not the app under test), and says how to point Sluice at it.
 */
import type { ClientMetadata } from "oidc-provider";
import { type Started, startProcess } from "../../harness/stack/spawn.ts";

/** A client registered with the provider (its own metadata type). */
export type TestClient = ClientMetadata;

export interface TestAccount {
  groups?: string[];
  /** Default: the account id itself. */
  email?: string;
  /** Default true. */
  emailVerified?: boolean;
}

export interface TestProviderOptions {
  clients: TestClient[];
  /** By account id (what a sign-in names); any other id signs in too, with no groups. */
  accounts?: Record<string, TestAccount>;
  clockOffsetSeconds?: number;
  idTokenTtlSeconds?: number;
  /** Scope claims (email, groups) in the ID token itself; default: only through userinfo. */
  claimsInIdToken?: boolean;
  /** The token endpoint's ID token re-signed for this audience. */
  idTokenAudience?: string;
}

export interface TestProvider {
  /** `http://localhost:<port>`. */
  issuer: string;
  process: Started;
  stop(): Promise<void>;
}

/** The tests' people: alice and dave of example.com (dave an admin), bob of another company, carol in group staff, mallory unverified. */
export const TEST_ACCOUNTS: Record<string, TestAccount> = {
  "alice@example.com": { groups: ["staff"] },
  "dave@example.com": { groups: ["staff", "sluice-admins"] },
  "bob@other.example": { groups: [] },
  "carol@other.example": { groups: ["staff"] },
  "mallory@example.com": { emailVerified: false },
};

export const CLIENT_ID = "sluice";
export const CLIENT_SECRET = "test-client-secret-0123456789";

/** The one client Sluice is registered as, for a Sluice reached at `publicUrl`. */
export function sluiceClient(publicUrl: string): TestClient {
  return {
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [`${publicUrl}/oidc/callback`],
    post_logout_redirect_uris: [`${publicUrl}/login`],
  };
}

export async function startTestProvider(options: TestProviderOptions): Promise<TestProvider> {
  const started = await startProcess(
    "test/support/oidc-provider-main.ts",
    {
      OIDC_TEST_PROVIDER: JSON.stringify(options),
    },
    "bun",
  );
  const issuer = started.url.replace("127.0.0.1", "localhost");
  return { issuer, process: started, stop: () => started.stop() };
}

/** Sluice's settings for single sign-on with `provider`: example.com's people may sign in, sluice-admins are admins. */
export function oidcEnv(provider: TestProvider, publicUrl: string): Record<string, string> {
  return {
    AUTH: "oidc",
    PUBLIC_URL: publicUrl,
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_CLIENT_SECRET: CLIENT_SECRET,
    OIDC_SCOPES: "openid email profile groups",
    OIDC_ALLOWED_DOMAINS: "example.com",
    OIDC_ADMIN_GROUPS: "sluice-admins",
  };
}
