/**
 * Without UPSTREAM_BASE_URL the app answers with its built-in simulator: the page names the
 * model and says plainly that it is a demo.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { type Started, startApp } from "../../harness/stack/spawn.ts";
import { launchBrowser, openChat } from "./chat-page.ts";

let app: Started;
let browser: Browser;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
}, 30_000);

test("the page names the model and shows the demo notice for the built-in simulator", async () => {
  const { page, context } = await openChat(browser, app.url);
  await page.waitForSelector("#demo-notice", { state: "visible", timeout: 10_000 });
  expect(await page.textContent("#model")).toBe("demo");
  expect(await page.textContent("#demo-notice")).toContain("simulator");
  expect(await page.textContent("#title")).toBe("New chat");
  expect(await page.evaluate(() => document.activeElement?.id)).toBe("prompt");
  // Shift+Enter starts a new line instead of sending.
  await page.keyboard.type("first line");
  await page.keyboard.press("Shift+Enter");
  await page.keyboard.type("second line");
  expect(await page.inputValue("#prompt")).toBe("first line\nsecond line");
  expect(await page.locator("#thread .message").count()).toBe(0);
  await context.close();
}, 30_000);
