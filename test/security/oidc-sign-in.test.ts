/**
 * Single sign-on (AUTH=oidc) against a real OpenID provider, driven over HTTP as a browser goes
 * through it: a sign-in gets the same session cookie as a token's; a callback with a wrong
 * `state`, a callback this browser did not start (login CSRF), a replayed code, a user outside
 * the allow-list, an unverified email are each refused with the field at fault, and each has its
 * negative control (the same step, untampered or allowed, signs in). The redirect URL comes from
 * PUBLIC_URL whatever the Host, the return address stays on this site, sign-out ends the session
 * and names the provider's sign-out page, and unsafe settings stop the start.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { CookieJar, signInAtProvider, signInThroughProvider, visit } from "../support/oidc-flow.ts";
import { CLIENT_ID } from "../support/oidc-provider.ts";
import { type OidcTarget, startOidcTarget } from "./oidc-setup.ts";
import { ALICE, bearer, startTarget } from "./setup.ts";

let target: OidcTarget;
let base: string;
beforeAll(async () => {
  target = await startOidcTarget({}, { OIDC_ALLOWED_GROUPS: "staff" });
  base = target.app.url;
});
afterAll(() => target?.stop());

/** Who the jar's cookies sign in (`user: null`: nobody, 401). */
async function sessionOf(jar: CookieJar): Promise<{ user: string | null; admin?: boolean }> {
  const response = await visit(`${base}/api/session`, jar);
  return response.status === 401 ? { user: null } : ((await response.json()) as { user: string; admin: boolean });
}

async function errorOf(response: Response) {
  return { status: response.status, ...((await response.json()) as { error: { code: string; field: string } }).error };
}

describe("a sign-in through the provider", () => {
  test("gets a session cookie like a token's (HttpOnly, SameSite=Strict), and the attempt's cookie is cleared", async () => {
    const { jar, response } = await signInThroughProvider(base, "alice@example.com");
    expect(response.status).toBe(200);
    const cookies = response.headers.getSetCookie();
    expect(cookies.find((line) => line.startsWith("sluice_session="))).toContain("HttpOnly; SameSite=Strict");
    expect(cookies).toContain("sluice_oidc=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    expect(await response.text()).toContain('<meta http-equiv="refresh" content="0; url=/">');
    expect(await sessionOf(jar)).toMatchObject({ user: "alice@example.com", admin: false });
    expect((await visit(`${base}/api/conversations`, jar)).status).toBe(200);
    expect(target.app.output()).toContain('"msg":"signed in","via":"oidc","user":"alice@example.com"');
  });

  test("the attempt's cookie is SameSite=Lax and HttpOnly, and the provider is sent PKCE, state and nonce", async () => {
    const response = await visit(`${base}/oidc/login`, new CookieJar());
    expect(response.status).toBe(303);
    expect(response.headers.getSetCookie()[0]).toMatch(
      /^sluice_oidc=[\w-]+\.[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+$/,
    );
    const authorize = new URL(response.headers.get("location") as string);
    expect(authorize.origin).toBe(target.provider.issuer);
    for (const name of ["state", "nonce", "code_challenge"])
      expect(authorize.searchParams.get(name)?.length).toBeGreaterThan(20);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${base}/oidc/callback`);
  });

  test("the redirect URL is PUBLIC_URL's whatever the Host header says", async () => {
    const response = await visit(`${base}/oidc/login`, new CookieJar(), { host: "evil.example" });
    const authorize = new URL(response.headers.get("location") as string);
    expect(authorize.searchParams.get("redirect_uri")).toBe(`${base}/oidc/callback`);
  });

  test("a member of an admin group is an admin; a member of an allowed group from another domain gets in", async () => {
    expect(await sessionOf((await signInThroughProvider(base, "dave@example.com")).jar)).toMatchObject({
      user: "dave@example.com",
      admin: true,
    });
    expect(await sessionOf((await signInThroughProvider(base, "carol@other.example")).jar)).toMatchObject({
      user: "carol@other.example",
      admin: false,
    });
  });

  test("the admin group opens the admin API; anyone else signed in by the provider gets its 404", async () => {
    const admin = (await signInThroughProvider(base, "dave@example.com")).jar;
    expect((await visit(`${base}/api/admin/users`, admin)).status).toBe(200);
    const staff = (await signInThroughProvider(base, "alice@example.com")).jar;
    expect((await visit(`${base}/api/admin/users`, staff)).status).toBe(404);
  });

  test("the return address stays on this site", async () => {
    for (const [asked, kept] of [
      ["/admin", "/admin"],
      ["/?c=abc&x=1", "/?c=abc&amp;x=1"],
      ["//evil.example/x", "/"],
      ["/\\evil.example", "/"],
      ["https://evil.example/", "/"],
      ['/"><script>', "/"],
    ] as const) {
      const { jar, callbackUrl } = await signInAtProvider(base, "alice@example.com", { returnTo: asked });
      const page = await (await visit(callbackUrl, jar)).text();
      expect([asked, page]).toEqual([asked, expect.stringContaining(`content="0; url=${kept}"`)]);
    }
  });
});

describe("refused callbacks", () => {
  test("a wrong state: 400 oidc_state_mismatch naming state, no session", async () => {
    const { jar, callbackUrl } = await signInAtProvider(base, "alice@example.com");
    const tampered = new URL(callbackUrl);
    tampered.searchParams.set("state", "a-state-this-browser-never-sent");
    const response = await visit(tampered.href, jar);
    expect(await errorOf(response)).toMatchObject({ status: 400, code: "oidc_state_mismatch", field: "state" });
    expect(response.headers.getSetCookie().some((line) => line.startsWith("sluice_session="))).toBe(false);
    expect((await sessionOf(jar)).user).toBeNull();
  });

  test("negative control: the same attempt with its own state signs in", async () => {
    const { jar, callbackUrl } = await signInAtProvider(base, "alice@example.com");
    expect((await visit(callbackUrl, jar)).status).toBe(200);
    expect((await sessionOf(jar)).user).toBe("alice@example.com");
  });

  test("another browser's callback (login CSRF): 400 oidc_no_sign_in; in the browser that started it, it signs in", async () => {
    const attacker = await signInAtProvider(base, "dave@example.com");
    const victim = new CookieJar();
    expect(await errorOf(await visit(attacker.callbackUrl, victim))).toMatchObject({
      status: 400,
      code: "oidc_no_sign_in",
      field: "state",
    });
    expect((await sessionOf(victim)).user).toBeNull();
    expect((await visit(attacker.callbackUrl, attacker.jar)).status).toBe(200);
  });

  test("a forged attempt cookie is refused like a missing one", async () => {
    const { jar, callbackUrl } = await signInAtProvider(base, "alice@example.com");
    const real = jar.get(base, "sluice_oidc") as string;
    const [payload, signature] = real.split(".") as [string, string];
    const pending = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...pending, returnTo: "/admin" })).toString("base64url");
    jar.set(base, "sluice_oidc", `${forged}.${signature}`);
    expect((await errorOf(await visit(callbackUrl, jar))).code).toBe("oidc_no_sign_in");
  });

  test("a replayed code: the provider refuses it, 400 oidc_code_rejected naming code", async () => {
    const { jar, callbackUrl } = await signInAtProvider(base, "alice@example.com");
    const attempt = jar.get(base, "sluice_oidc") as string;
    expect((await visit(callbackUrl, jar)).status).toBe(200);
    // Whoever holds both the redirect and the attempt's cookie sends them again.
    const replay = new CookieJar();
    replay.set(base, "sluice_oidc", attempt);
    expect(await errorOf(await visit(callbackUrl, replay))).toMatchObject({
      status: 400,
      code: "oidc_code_rejected",
      field: "code",
    });
    expect((await sessionOf(replay)).user).toBeNull();
    expect(target.app.output()).toContain('"code":"oidc_code_rejected"');
  });

  test("a user outside the allow-list: 403 oidc_user_not_allowed; negative control: allowed by domain", async () => {
    const { jar, response } = await signInThroughProvider(base, "bob@other.example");
    expect(await errorOf(response)).toMatchObject({ status: 403, code: "oidc_user_not_allowed", field: "user" });
    expect((await sessionOf(jar)).user).toBeNull();
    expect((await signInThroughProvider(base, "alice@example.com")).response.status).toBe(200);
  });

  test("an email the provider marks unverified neither names the user nor passes the domain check", async () => {
    const { response } = await signInThroughProvider(base, "mallory@example.com");
    expect(await errorOf(response)).toMatchObject({
      status: 403,
      code: "oidc_user_claim_missing",
      field: "id_token.email",
    });
  });

  test("a browser's navigation is sent to the sign-in page, which says why", async () => {
    const { jar, callbackUrl } = await signInAtProvider(base, "bob@other.example");
    const response = await visit(callbackUrl, jar, { "sec-fetch-dest": "document" });
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/login?error=oidc_user_not_allowed");
  });
});

describe("signing out", () => {
  test("ends the session and names the provider's sign-out page, which returns to /login", async () => {
    const { jar } = await signInThroughProvider(base, "alice@example.com");
    const cookie = jar.header(base);
    const response = await fetch(`${base}/api/session`, { method: "DELETE", headers: { cookie } });
    expect(response.status).toBe(200);
    const endSession = new URL(((await response.json()) as { end_session_url: string }).end_session_url);
    expect(endSession.origin).toBe(target.provider.issuer);
    expect(endSession.searchParams.get("client_id")).toBe(CLIENT_ID);
    expect(endSession.searchParams.get("post_logout_redirect_uri")).toBe(`${base}/login`);
    expect((await fetch(`${base}/api/conversations`, { headers: { cookie } })).status).toBe(401);
  });
});

describe("tokens beside the provider", () => {
  test("a browser cannot sign in with a token (only through the provider); an API client's bearer token works", async () => {
    const signIn = await fetch(`${base}/api/session`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: ALICE }),
    });
    expect(signIn.status).toBe(401);
    expect(signIn.headers.getSetCookie()).toEqual([]);
    expect((await fetch(`${base}/api/conversations`, { headers: bearer(ALICE) })).status).toBe(200);
  });
});

describe("unsafe settings stop the start, saying what to set", () => {
  const start = (env: Record<string, string>) =>
    startTarget({ AUTH: "oidc", PUBLIC_URL: "https://chat.example.com", OIDC_CLIENT_ID: "sluice", ...env });

  test("no allow-list", async () => {
    await expect(start({ OIDC_ISSUER: "https://sso.example.com" })).rejects.toThrow(
      /OIDC_ALLOWED_DOMAINS: AUTH=oidc needs an allow-list/,
    );
  });

  test("an http:// issuer beyond this machine", async () => {
    await expect(start({ OIDC_ISSUER: "http://sso.example.com", OIDC_ALLOWED_DOMAINS: "example.com" })).rejects.toThrow(
      /OIDC_ISSUER: must be https:\/\//,
    );
  });

  test("no PUBLIC_URL to derive the redirect URL from", async () => {
    const env = { OIDC_ISSUER: "https://sso.example.com", OIDC_ALLOWED_DOMAINS: "example.com", PUBLIC_URL: "" };
    await expect(start(env)).rejects.toThrow(/PUBLIC_URL: AUTH=oidc needs the address people use/);
  });
});
