/**
 * Single sign-on in Chromium, through the shipped nginx, with the tests' OpenID provider on
 * another site (`localhost` against the chat's `127.0.0.1`): the chat sends a person to the
 * sign-in page, its button to the provider, whose form signs them in and sends them back; the
 * session cookie (SameSite=Strict) is set on that cross-site return and carried by the chat page
 * the callback opens. A person outside the allow-list lands on the sign-in page, told why. An
 * admin of the provider's group finds the admin page, signs a user out everywhere from it and
 * sees the audit log say so. Signing out goes through the provider's own sign-out and back.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { TestProvider } from "../support/oidc-provider.ts";
import { type OidcStack, startOidcStack } from "../support/oidc-stack.ts";
import { finishedAnswer, launchBrowser, send } from "./chat-page.ts";

let setup: OidcStack;
let provider: TestProvider;
let browser: Browser;
let base: string;

beforeAll(async () => {
  setup = await startOidcStack();
  ({ provider, base } = setup);
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await setup?.stop();
}, 60_000);

/** A fresh browser (no cookies) that accepts every confirm() and records it. */
async function freshPage(): Promise<{ context: BrowserContext; page: Page; asked: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const asked: string[] = [];
  page.on("dialog", (dialog) => {
    asked.push(dialog.message());
    void dialog.accept();
  });
  return { context, page, asked };
}

/** From the chat's address to signed in as `email`, the way a person goes: the button, the provider's form. */
async function signIn(page: Page, email: string, start = `${base}/`): Promise<void> {
  await page.goto(start);
  await page.waitForURL(/\/login/);
  await page.click("#single-sign-on");
  await page.waitForURL(new RegExp(`^${provider.issuer}/interaction/`));
  await page.fill("input[name=email]", email);
  await page.click("button[type=submit]");
}

describe("signing in with the provider", () => {
  test("lands in the chat, signed in, with the session carried after the provider's cross-site return", async () => {
    const { context, page } = await freshPage();
    try {
      await signIn(page, "alice@example.com");
      await page.waitForURL(`${base}/`);
      await page.waitForSelector("#prompt");
      await page.waitForFunction(() =>
        document.querySelector("#account-user")?.textContent?.includes("alice@example.com"),
      );
      expect(await page.isHidden("#admin-link")).toBe(true);
      const cookie = (await context.cookies(base)).find((item) => item.name === "sluice_session");
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });
      expect((await context.cookies(base)).some((item) => item.name === "sluice_oidc")).toBe(false);
    } finally {
      await context.close();
    }
  }, 60_000);

  test("someone outside the allow-list lands on the sign-in page, which says why", async () => {
    const { context, page } = await freshPage();
    try {
      await signIn(page, "bob@other.example");
      await page.waitForURL(`${base}/login?error=oidc_user_not_allowed`);
      const notice = await page.textContent("#sign-in-notice");
      expect(notice).toContain("may not use this Sluice");
      expect((await context.cookies(base)).some((item) => item.name === "sluice_session")).toBe(false);
    } finally {
      await context.close();
    }
  }, 60_000);

  test("signing out ends the session and the provider's, and returns to the sign-in page", async () => {
    const { context, page } = await freshPage();
    try {
      await signIn(page, "alice@example.com");
      await page.waitForSelector("#sign-out:not([hidden])");
      await page.click("#sign-out");
      // The provider asks; the person confirms.
      await page.waitForURL(new RegExp(`^${provider.issuer}/`));
      await page.click("button[name=logout]");
      await page.waitForURL(/\/login$/);
      const status = await page.evaluate(async () => (await fetch("/api/session")).status);
      expect(status).toBe(401);
      // The provider's session is gone too: its form asks again rather than signing straight back in.
      await page.click("#single-sign-on");
      await page.waitForSelector("input[name=email]");
    } finally {
      await context.close();
    }
  }, 60_000);
});

describe("the admin page", () => {
  test("an admin of the provider's group finds it, signs a user out everywhere, and the audit log says so", async () => {
    const victim = await freshPage();
    const { context, page, asked } = await freshPage();
    try {
      await signIn(victim.page, "alice@example.com");
      await victim.page.waitForSelector("#prompt");
      // A question stores a conversation of hers: the admin page lists whoever stores something.
      await send(victim.page, "/sim tokens=3\nhello");
      await finishedAnswer(victim.page);
      await signIn(page, "dave@example.com");
      await page.waitForSelector("#admin-link:not([hidden])");
      await page.click("#admin-link");
      await page.waitForURL(`${base}/admin`);
      const row = page.locator('#users tr[data-user="alice@example.com"]');
      await row.waitFor();
      await row.getByRole("button", { name: "Sign out everywhere" }).click();
      await page.waitForSelector('#audit tr[data-action="sign_out_everywhere"]');
      expect(asked).toEqual(["Sign alice@example.com out of every browser? They can sign in again."]);
      expect(await page.textContent('#audit tr[data-action="sign_out_everywhere"]')).toContain("dave@example.com");
      expect(await victim.page.evaluate(async () => (await fetch("/api/session")).status)).toBe(401);
    } finally {
      await context.close();
      await victim.context.close();
    }
  }, 60_000);

  test("signs out, by name, someone the list does not show", async () => {
    const { context, page, asked } = await freshPage();
    try {
      await signIn(page, "dave@example.com");
      await page.waitForSelector("#prompt");
      await page.goto(`${base}/admin`);
      await page.fill("#sign-out-user", "carol@other.example");
      await page.click("#sign-out-form button");
      await page.waitForFunction(() =>
        [...document.querySelectorAll("#audit tr")].some((row) => row.textContent?.includes("carol@other.example")),
      );
      expect(asked).toEqual(["Sign carol@other.example out of every browser? They can sign in again."]);
    } finally {
      await context.close();
    }
  }, 60_000);

  test("anyone else signed in gets a page that does not exist", async () => {
    const { context, page } = await freshPage();
    try {
      await signIn(page, "alice@example.com");
      await page.waitForSelector("#prompt");
      const response = await page.goto(`${base}/admin`);
      expect(response?.status()).toBe(404);
    } finally {
      await context.close();
    }
  }, 60_000);
});
