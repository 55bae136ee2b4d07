/**
 * Single sign-on through the shipped nginx: the provider's redirect back passes nginx to the app,
 * which signs the person in with the same session cookie, reached through nginx afterwards; the
 * provider's admin group opens the admin API; a refused sign-in is refused through nginx as
 * directly; and nginx's access log never holds the callback's one-time code (it logs the path
 * alone), while it does log the callback itself (the negative control of that scan).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { Stack } from "../../harness/stack/start-stack.ts";
import { signInAtProvider, signInThroughProvider, visit } from "../support/oidc-flow.ts";
import { type OidcStack, startOidcStack } from "../support/oidc-stack.ts";

let setup: OidcStack;
let stack: Stack;
let base: string;
beforeAll(async () => {
  setup = await startOidcStack();
  ({ stack, base } = setup);
});
afterAll(() => setup?.stop());

describe("through nginx", () => {
  test("the chat sends nobody signed in to the sign-in page, which offers the provider", async () => {
    const root = await fetch(`${base}/`, { redirect: "manual" });
    expect(root.status).toBe(303);
    expect(root.headers.get("location")).toBe("/login");
    expect(await (await fetch(`${base}/login`)).text()).toContain('<body data-auth="oidc">');
  });

  test("a sign-in comes back through nginx and its session works through nginx", async () => {
    const { jar, response } = await signInThroughProvider(base, "alice@example.com");
    expect(response.status).toBe(200);
    const session = await (await visit(`${base}/api/session`, jar)).json();
    expect(session).toMatchObject({ user: "alice@example.com", mode: "oidc", admin: false });
    expect((await visit(`${base}/api/conversations`, jar)).status).toBe(200);
    expect((await visit(`${base}/api/admin/users`, jar)).status).toBe(404);
  });

  test("the provider's admin group opens the admin page and API", async () => {
    const { jar } = await signInThroughProvider(base, "dave@example.com");
    expect((await visit(`${base}/api/admin/users`, jar)).status).toBe(200);
    const page = await visit(`${base}/admin`, jar);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("/assets/admin.js");
  });

  test("a refused sign-in is refused through nginx: JSON for a client, the sign-in page for a browser", async () => {
    const client = await signInThroughProvider(base, "bob@other.example");
    expect(client.response.status).toBe(403);
    expect(((await client.response.json()) as { error: { code: string } }).error.code).toBe("oidc_user_not_allowed");
    const browser = await signInAtProvider(base, "bob@other.example");
    const navigation = await visit(browser.callbackUrl, browser.jar, { "sec-fetch-dest": "document" });
    expect(navigation.headers.get("location")).toBe("/login?error=oidc_user_not_allowed");
  });

  test("nginx's access log holds the callback's path, never its one-time code", async () => {
    const { jar, callbackUrl } = await signInAtProvider(base, "alice@example.com");
    const code = new URL(callbackUrl).searchParams.get("code") as string;
    expect((await visit(callbackUrl, jar)).status).toBe(200);
    await Bun.sleep(200);
    const log = readFileSync(stack.accessLogPath, "utf8");
    expect(log).toContain('"path":"/oidc/callback"');
    expect(code.length).toBeGreaterThan(20);
    expect(log).not.toContain(code);
  });
});
