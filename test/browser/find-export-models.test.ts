/**
 * Search, export, the model picker and the model badge, as a user meets them: by mouse and by
 * keyboard, at desktop and phone width, through nginx (Export by keyboard, and on a phone in the
 * title bar's More menu: header-menus.test.ts). The badge is checked against an upstream
 * that answers (this stack) and one that does not (a second app pointed at a closed port).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { Page, Request } from "playwright-core";
import { waitUntil } from "../../harness/client/poll.ts";
import { freePort } from "../../harness/stack/free-port.ts";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";
import { type ChatSetup, conversationIdOf, finishedAnswer, openChat, send, startChatSetup } from "./chat-page.ts";

let setup: ChatSetup;
const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };
let ferries = "";
let groceries = "";

beforeAll(async () => {
  setup = await startChatSetup({ SIM_TOKENS_PER_SECOND: "2000", SIM_TTFT_MS: "20", MODELS: "demo,demo-large" });
  const { page, context } = await openChat(setup.browser, setup.url);
  await send(page, "/echo Which ferries sail to Zanzibar in June?");
  expect((await finishedAnswer(page)).status).toBe("complete");
  ferries = conversationIdOf(page);
  await page.click("#new-chat");
  await send(page, "/echo Milk, eggs and bread");
  expect((await finishedAnswer(page)).status).toBe("complete");
  groceries = conversationIdOf(page);
  await context.close();
}, 90_000);

afterAll(async () => {
  await setup?.stop();
}, 60_000);

const listedIds = (page: Page) =>
  page.$$eval("#conversation-list a", (links) => links.map((link) => (link as HTMLElement).dataset.id));

async function waitForListLength(page: Page, length: number): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll("#conversation-list a").length === n, length, {
    timeout: 10_000,
  });
}

test("typing in the search box filters the list (debounced), shows a snippet, and Esc clears it", async () => {
  const { page, context, errors } = await openChat(setup.browser, setup.url, { viewport: desktop });
  await waitForListLength(page, 2);
  const searches: string[] = [];
  page.on("request", (request) => {
    if (request.url().includes("/api/conversations?") && request.url().includes("q=")) searches.push(request.url());
  });
  await page.click("#search");
  await page.keyboard.type("zanzib");
  await waitForListLength(page, 1);
  expect(await listedIds(page)).toEqual([ferries]);
  expect(await page.textContent("#conversation-list .conversation-snippet")).toContain("Zanzibar in June");
  // Six keys, typed faster than the pause the box waits for: fewer requests than keys (one, on
  // an idle machine; the bound leaves room for a loaded one).
  expect(searches.length).toBeGreaterThanOrEqual(1);
  expect(searches.length).toBeLessThanOrEqual(3);
  await page.fill("#search", "nothing-like-this");
  await page.waitForSelector("#list-empty:not([hidden])");
  expect(await page.textContent("#list-empty")).toBe("No conversations match.");
  await page.press("#search", "Escape");
  await waitForListLength(page, 2);
  expect(await page.inputValue("#search")).toBe("");
  expect(await page.isHidden("#list-empty")).toBe(true);
  expect(errors).toEqual([]);
  await context.close();
});

test("on a phone the search works inside the drawer, and a result opens its conversation", async () => {
  const { page, context } = await openChat(setup.browser, setup.url, { viewport: phone });
  await page.click("#menu");
  await page.fill("#search", "milk");
  await waitForListLength(page, 1);
  const box = await page.locator("#search").boundingBox();
  expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
  expect(box?.width ?? 0).toBeLessThanOrEqual(phone.width);
  await page.click("#conversation-list a");
  await page.waitForFunction(() => !document.body.classList.contains("drawer-open"));
  expect(conversationIdOf(page)).toBe(groceries);
  await context.close();
});

async function downloaded(page: Page, action: () => Promise<void>) {
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: 10_000 }), action()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), text: readFileSync(path, "utf8") };
}

test("Export by mouse: the menu downloads Markdown and JSON named after the title", async () => {
  const { page, context } = await openChat(setup.browser, `${setup.url}/#/c/${ferries}`, { viewport: desktop });
  await page.waitForSelector("#title-actions:not([hidden])");
  expect(await page.isHidden("#export-menu")).toBe(true);
  await page.click("#export");
  expect(await page.getAttribute("#export", "aria-expanded")).toBe("true");
  const markdown = await downloaded(page, () => page.click("#export-md"));
  // Chromium takes the title's own characters (filename*), replacing those a file system refuses.
  expect(markdown.name).toMatch(/^echo Which ferries sail to Zanzibar in June.?\.md$/);
  expect(markdown.text).toContain("## You\n\n/echo Which ferries sail to Zanzibar in June?");
  expect(await page.isHidden("#export-menu")).toBe(true);
  await page.click("#export");
  const json = await downloaded(page, () => page.click("#export-json"));
  expect(json.name).toEndWith(".json");
  expect(JSON.parse(json.text)).toMatchObject({ id: ferries });
  // A click elsewhere closes the menu.
  await page.click("#export");
  await page.click("#messages");
  expect(await page.isHidden("#export-menu")).toBe(true);
  await context.close();
});

/** The `model` field of the next POST /api/chat the page sends while `action` runs. */
async function modelSent(page: Page, action: () => Promise<void>): Promise<unknown> {
  const [request] = await Promise.all([
    page.waitForRequest((r: Request) => r.url().endsWith("/api/chat") && r.method() === "POST", { timeout: 10_000 }),
    action(),
  ]);
  return (request.postDataJSON() as { model?: unknown }).model;
}

test("the model picker lists the allowed models; the choice is sent and kept per conversation", async () => {
  const { page, context } = await openChat(setup.browser, `${setup.url}/#/c/${ferries}`, { viewport: desktop });
  await page.waitForSelector("#model-field:not([hidden])");
  expect(await page.$$eval("#model-picker option", (options) => options.map((o) => o.textContent))).toEqual([
    "demo",
    "demo-large",
  ]);
  expect(await page.inputValue("#model-picker")).toBe("demo");
  // By keyboard: focus the picker and choose the second model.
  await page.focus("#model-picker");
  await page.selectOption("#model-picker", "demo-large");
  await page.waitForFunction(() => document.getElementById("model")?.textContent === "demo-large");
  expect(await modelSent(page, () => send(page, "/echo bigger please"))).toBe("demo-large");
  expect((await finishedAnswer(page)).status).toBe("complete");
  // Kept for this conversation after a reload; the other conversation keeps the default.
  await page.reload();
  await page.waitForSelector("#model-field:not([hidden])");
  await page.waitForFunction(
    () => (document.getElementById("model-picker") as HTMLSelectElement).value === "demo-large",
  );
  await page.click(`#conversation-list a[data-id="${groceries}"]`);
  await page.waitForFunction(() => (document.getElementById("model-picker") as HTMLSelectElement).value === "demo");
  expect(await modelSent(page, () => send(page, "/echo default please"))).toBe("demo");
  expect((await finishedAnswer(page)).status).toBe("complete");
  // A new chat starts with the last model chosen, and keeps it once saved.
  await page.click("#new-chat");
  await page.waitForFunction(
    () => (document.getElementById("model-picker") as HTMLSelectElement).value === "demo-large",
  );
  expect(await modelSent(page, () => send(page, "/echo a new chat"))).toBe("demo-large");
  expect((await finishedAnswer(page)).status).toBe("complete");
  await page.reload();
  await page.waitForSelector("#model-field:not([hidden])");
  await page.waitForFunction(
    () => (document.getElementById("model-picker") as HTMLSelectElement).value === "demo-large",
  );
  await context.close();
});

test("a model chosen while the conversation is still being read is kept, not undone by the read", async () => {
  const { page, context } = await openChat(setup.browser, setup.url, { viewport: desktop });
  await page.waitForSelector("#model-field:not([hidden])");
  // The conversation's read reaches the server at once, but its answer is held until the choice
  // is made: it then carries the model stored before the choice (demo).
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let held = 0;
  await page.route(
    (url) => url.pathname === `/api/conversations/${groceries}`,
    async (route) => {
      if (route.request().method() !== "GET") return route.continue();
      const response = await route.fetch();
      held++;
      await released;
      await route.fulfill({ response });
    },
  );
  await page.click(`#conversation-list a[data-id="${groceries}"]`);
  await page.waitForFunction(() => location.hash.startsWith("#/c/"));
  await waitUntil(
    "the conversation's read, answered and held",
    () => held,
    (count) => count > 0,
  );
  await page.selectOption("#model-picker", "demo-large");
  release();
  await page.waitForSelector("#thread .message.assistant");
  expect(await page.inputValue("#model-picker")).toBe("demo-large");
  expect(await modelSent(page, () => send(page, "/echo still the larger one"))).toBe("demo-large");
  expect((await finishedAnswer(page)).status).toBe("complete");
  await context.close();
});

test("at phone width the picker stays on screen as a 44 px target", async () => {
  const { page, context } = await openChat(setup.browser, setup.url, { viewport: phone });
  await page.waitForSelector("#model-field:not([hidden])");
  const box = await page.locator("#model-picker").boundingBox();
  expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);
  expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(phone.width);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(phone.width);
  await context.close();
});

test("the badge names the model in its normal style while the upstream answers", async () => {
  const { page, context } = await openChat(setup.browser, setup.url, { viewport: desktop });
  await page.waitForFunction(() => document.getElementById("model")?.textContent === "demo");
  expect(await page.getAttribute("#model-badge", "class")).not.toContain("unreachable");
  await context.close();
});

test("the badge says unreachable, in the warning style, when the upstream does not answer", async () => {
  // The same shipped stack, its model server a closed port; a single model, so no picker either.
  const down: Stack = await startStack({
    env: { UPSTREAM_BASE_URL: `http://127.0.0.1:${freePort()}/v1`, MODEL: "demo" },
  });
  try {
    for (const viewport of [desktop, phone]) {
      const { page, context } = await openChat(setup.browser, down.url, { viewport });
      await page.waitForFunction(() => document.getElementById("model")?.textContent === "unreachable");
      expect(await page.getAttribute("#model-badge", "class")).toContain("unreachable");
      // The model server, not this device's network (that reads "offline": wording.test.ts).
      expect(await page.getAttribute("#model-badge", "title")).toContain("the model server does not answer");
      // On a phone the badge folds into More, which carries the warning.
      if (viewport === phone) expect(await page.getAttribute("#more", "data-warning")).toBe("true");
      const colours = await page.$eval("#model-badge", (badge) => getComputedStyle(badge).backgroundColor);
      expect(colours).not.toBe("rgba(0, 0, 0, 0)");
      expect(await page.isHidden("#model-field")).toBe(true);
      await context.close();
    }
  } finally {
    await down.stop();
  }
}, 60_000);
