/**
 * Signing in as people actually do it, at desktop and phone width: a sign-in link pasted into the
 * address bar of an open sign-in page (only the fragment changes, so the page reloads nothing), or
 * pasted whole into the token box; a stale "not valid" goes once they try again; a conversation
 * link opened while signed out leads back to that conversation; and /login while signed in goes
 * straight to the chat.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { type ChatSetup, startChatSetup, widths } from "./chat-page.ts";

const TOKEN = "alice-sign-in-token-0123456789";
let setup: ChatSetup;

beforeAll(async () => {
  setup = await startChatSetup({ AUTH: "token", AUTH_TOKENS: `alice:${TOKEN}` });
}, 90_000);

afterAll(async () => {
  await setup?.stop();
}, 60_000);

async function signedOutPage(browser: Browser, viewport: { width: number; height: number }, path: string) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${setup.url}${path}`);
  return { context, page };
}

/** A conversation of alice's, made through the API. */
async function aliceConversation(): Promise<string> {
  const response = await fetch(`${setup.url}/api/conversations`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ title: "Ferries to Zanzibar" }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

for (const [name, viewport] of widths) {
  test(`${name}: a link pasted into the address bar of /login signs in, and the stale error goes`, async () => {
    const { context, page } = await signedOutPage(setup.browser, viewport, "/login");
    await page.fill("#token", "not-the-right-token-at-all");
    await page.press("#token", "Enter");
    await page.waitForSelector("#sign-in-error:not([hidden])");
    expect(await page.textContent("#sign-in-error")).toContain("not valid");
    // The person pastes the link they were given: the same document, a new fragment.
    await page.goto(`${setup.url}/login#token=${TOKEN}`);
    await page.waitForURL(`${setup.url}/`);
    await page.waitForSelector("#prompt");
    expect(await page.isVisible("#sign-in-error")).toBe(false);
    await context.close();
  }, 60_000);

  test(`${name}: a whole link pasted into the token box signs in`, async () => {
    const { context, page } = await signedOutPage(setup.browser, viewport, "/login");
    await page.fill("#token", "wrong-token-for-the-error");
    await page.press("#token", "Enter");
    await page.waitForSelector("#sign-in-error:not([hidden])");
    await page.fill("#token", `${setup.url}/login#token=${TOKEN}`);
    // Typing again clears the old error at once.
    expect(await page.isVisible("#sign-in-error")).toBe(false);
    expect(await page.inputValue("#token")).toBe(TOKEN);
    await page.press("#token", "Enter");
    await page.waitForSelector("#prompt");
    await context.close();
  }, 60_000);

  test(`${name}: a conversation link opened signed out leads back to the conversation`, async () => {
    const id = await aliceConversation();
    const { context, page } = await signedOutPage(setup.browser, viewport, `/#/c/${id}`);
    await page.waitForSelector("#sign-in-form");
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.fill("#token", TOKEN);
    await page.press("#token", "Enter");
    await page.waitForFunction(
      (title) => document.querySelector("#title")?.textContent === title,
      "Ferries to Zanzibar",
    );
    expect(new URL(page.url()).hash).toBe(`#/c/${id}`);
    await context.close();
  }, 60_000);

  test(`${name}: /login while signed in goes to the chat; signed out it shows the form`, async () => {
    const { context, page } = await signedOutPage(setup.browser, viewport, `/login#token=${TOKEN}`);
    await page.waitForSelector("#prompt");
    await page.goto(`${setup.url}/login`);
    await page.waitForURL(`${setup.url}/`);
    await page.waitForSelector("#prompt");
    // The negative control: after signing out, /login stays the sign-in page.
    await page.evaluate(() => fetch("/api/session", { method: "DELETE" }));
    await page.goto(`${setup.url}/login`);
    await page.waitForSelector("#sign-in-form");
    await page.waitForTimeout(500);
    expect(new URL(page.url()).pathname).toBe("/login");
    await context.close();
  }, 60_000);
}
