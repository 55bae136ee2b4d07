/**
 * The pure parts of single sign-on: who the claims name and whether the allow-list lets them in
 * (oidc-claims.ts), the pending sign-in's cookie (oidc-pending.ts), the settings AUTH=oidc needs
 * (auth-settings.ts, the client secret masked), and sessions that know when they began and
 * whether the provider made their user an admin (sessions.ts).
 */
import { describe, expect, test } from "bun:test";
import { personOf } from "../../src/auth/oidc-claims.ts";
import { PendingSignIns, safeReturnPath } from "../../src/auth/oidc-pending.ts";
import { SessionSigner } from "../../src/auth/sessions.ts";
import type { OidcSettings } from "../../src/auth-settings.ts";
import { describeConfig, loadConfig } from "../../src/config.ts";

const settings: OidcSettings = {
  issuer: "https://sso.example.com",
  clientId: "sluice",
  clientSecret: "s",
  redirectUri: "https://chat.example.com/oidc/callback",
  postLogoutRedirectUri: "https://chat.example.com/login",
  scopes: "openid email",
  userClaim: "email",
  groupsClaim: "groups",
  allowedDomains: ["example.com"],
  allowedGroups: ["staff"],
  allowAnyUser: false,
  adminGroups: ["admins"],
  clockToleranceSeconds: 30,
};

const refusal = (claims: Record<string, unknown>, policy = settings) => {
  try {
    personOf(claims, policy);
    return undefined;
  } catch (error) {
    return (error as { code: string; field: string }).code;
  }
};

describe("who the claims name, and whether they may sign in", () => {
  test("an email of an allowed domain, kept in lower case; an admin by group", () => {
    expect(personOf({ sub: "1", email: "Alice@Example.COM" }, settings)).toEqual({
      user: "alice@example.com",
      admin: false,
    });
    expect(personOf({ sub: "2", email: "root@example.com", groups: ["admins"] }, settings).admin).toBe(true);
    expect(personOf({ sub: "3", email: "x@example.com", groups: "admins" }, settings).admin).toBe(true);
  });

  test("a domain is matched whole: no subdomain, no suffix", () => {
    expect(refusal({ email: "eve@evil-example.com" })).toBe("oidc_user_not_allowed");
    expect(refusal({ email: "eve@mail.example.com" })).toBe("oidc_user_not_allowed");
    expect(refusal({ email: "eve@example.com.evil.net" })).toBe("oidc_user_not_allowed");
  });

  test("an allowed group lets in another domain; OIDC_ALLOW_ANY_USER everyone", () => {
    expect(refusal({ email: "carol@other.org", groups: ["staff"] })).toBeUndefined();
    expect(refusal({ email: "carol@other.org" }, { ...settings, allowAnyUser: true })).toBeUndefined();
  });

  test("an unverified email names nobody, and no domain lets it in", () => {
    expect(refusal({ email: "mallory@example.com", email_verified: false })).toBe("oidc_user_claim_missing");
    const bySub = { ...settings, userClaim: "sub" };
    expect(refusal({ sub: "m1", email: "mallory@example.com", email_verified: false }, bySub)).toBe(
      "oidc_user_not_allowed",
    );
    expect(personOf({ sub: "m1", email: "m@example.com" }, bySub).user).toBe("m1");
  });

  test("a user claim that is no usable name is refused, naming the claim", () => {
    const byName = { ...settings, userClaim: "preferred_username", allowAnyUser: true };
    expect(refusal({ preferred_username: "a b" }, byName)).toBe("oidc_user_claim_missing");
    expect(refusal({ preferred_username: "x".repeat(129) }, byName)).toBe("oidc_user_claim_missing");
    expect(personOf({ preferred_username: 42 }, byName).user).toBe("42");
  });
});

describe("the pending sign-in's cookie", () => {
  const pending = { codeVerifier: "v", state: "s", nonce: "n", returnTo: "/", expiresAt: Date.now() + 60_000 };

  test("opens as sealed; refuses another key, a changed payload, an expired attempt", () => {
    const signIns = new PendingSignIns(Buffer.from("key one"));
    const sealed = signIns.seal(pending);
    expect(signIns.open(sealed)).toEqual(pending);
    expect(new PendingSignIns(Buffer.from("key two")).open(sealed)).toBeUndefined();
    const [, signature] = sealed.split(".");
    const changed = Buffer.from(JSON.stringify({ ...pending, returnTo: "/admin" })).toString("base64url");
    expect(signIns.open(`${changed}.${signature}`)).toBeUndefined();
    expect(signIns.open(sealed, pending.expiresAt)).toBeUndefined();
    expect(signIns.open(`${sealed}x`)).toBeUndefined();
  });

  test("the return address is a path of this site", () => {
    expect(safeReturnPath("/admin")).toBe("/admin");
    expect(safeReturnPath("/#/c/abc-1")).toBe("/#/c/abc-1");
    for (const path of ["//evil.example", "/\\evil.example", "https://evil.example", "admin", "/a b", null])
      expect([path, safeReturnPath(path)]).toEqual([path, "/"]);
  });
});

describe("settings", () => {
  const env = {
    AUTH: "oidc",
    PUBLIC_URL: "https://chat.example.com",
    OIDC_ISSUER: "https://sso.example.com/realms/staff/",
    OIDC_CLIENT_ID: "sluice",
    OIDC_CLIENT_SECRET: "client-secret-value",
    OIDC_ALLOWED_DOMAINS: "@Example.com",
  };

  test("the issuer is kept as written; the redirect URL comes from PUBLIC_URL; the secret is masked in the log", () => {
    const config = loadConfig(env);
    expect(config.auth.oidc).toMatchObject({
      issuer: "https://sso.example.com/realms/staff/",
      redirectUri: "https://chat.example.com/oidc/callback",
      allowedDomains: ["example.com"],
      userClaim: "email",
      clockToleranceSeconds: 30,
    });
    expect(JSON.stringify(describeConfig(config))).not.toContain("client-secret-value");
  });

  test("scopes must include openid; a tolerance is bounded", () => {
    expect(() => loadConfig({ ...env, OIDC_SCOPES: "email" })).toThrow(/^OIDC_SCOPES:/);
    expect(() => loadConfig({ ...env, OIDC_CLOCK_TOLERANCE_S: "3600" })).toThrow(/^OIDC_CLOCK_TOLERANCE_S:/);
    expect(() => loadConfig({ ...env, ADMIN_USERS: "alice,bad name" })).toThrow(/^ADMIN_USERS:/);
  });
});

describe("sessions", () => {
  test("carry the provider's admin role and when they began; a user signed out everywhere loses those issued until then", async () => {
    const signer = new SessionSigner("a-secret-for-this-test-only", 60_000);
    const admin = signer.issue("dave", { admin: true }, Date.now() - 10);
    expect(signer.verify(admin.value)).toMatchObject({ user: "dave", admin: true });
    await signer.revokeUser("dave");
    expect(signer.verify(admin.value)).toBeUndefined();
    expect(signer.verify(signer.issue("dave", {}, Date.now() + 1).value)?.user).toBe("dave");
  });

  test("a cookie of the earlier three-field form still verifies, and any sign-out everywhere ends it", async () => {
    const signer = new SessionSigner("a-secret-for-this-test-only", 60_000);
    const { createHmac } = await import("node:crypto");
    const payload = Buffer.from(JSON.stringify(["erin", "id-1", Date.now() + 60_000])).toString("base64url");
    const value = `${payload}.${createHmac("sha256", "a-secret-for-this-test-only").update(payload).digest("base64url")}`;
    expect(signer.verify(value)).toMatchObject({ user: "erin", issuedAt: 0, admin: false });
    await signer.revokeUser("erin");
    expect(signer.verify(value)).toBeUndefined();
  });
});
