/**
 * The conversation list by keyboard and its Delete, at desktop and phone width: the list is one
 * Tab stop (a roving tabindex), the arrows, Home and End move in it, and a conversation is deleted
 * from its item (its button, or the Delete key), after the same confirmation as the title bar's.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { type ChatSetup, finishedAnswer, openChat, send, startChatSetup, widths } from "./chat-page.ts";

let setup: ChatSetup;

beforeAll(async () => {
  setup = await startChatSetup({ SIM_TOKENS_PER_SECOND: "2000", SIM_TTFT_MS: "20" });
}, 90_000);

afterAll(async () => {
  await setup?.stop();
}, 60_000);

/** Makes `count` conversations through the API, newest last; returns their ids. */
async function conversations(count: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${setup.url}/api/conversations`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ title: `${prefix} ${i}` }),
    });
    ids.push(((await response.json()) as { id: string }).id);
  }
  return ids;
}

const focusedId = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.id);

/** Opens the drawer on a phone; the sidebar shows as it is on a desktop. */
async function showList(page: Page): Promise<void> {
  const closed = await page.evaluate(() => !document.body.classList.contains("drawer-open"));
  if (closed && (await page.isVisible("#menu"))) await page.click("#menu");
  await page.waitForSelector("#conversation-list a", { state: "visible" });
}

for (const [name, viewport] of widths) {
  test(`${name}: the list is one Tab stop; arrows, Home and End move in it; Enter opens`, async () => {
    const ids = await conversations(6, `${name} roving`);
    const { page, context } = await openChat(setup.browser, setup.url, { viewport });
    await showList(page);
    await page.waitForFunction((n) => document.querySelectorAll("#conversation-list a").length >= n, ids.length);
    const listed = await page.$$eval("#conversation-list a", (links) =>
      links.map((l) => (l as HTMLElement).dataset.id),
    );
    // One item takes Tab; every other link and every Delete button does not.
    const tabbable = await page.$$eval("#conversation-list a, #conversation-list button", (items) =>
      items.filter((item) => (item as HTMLElement).tabIndex === 0).map((item) => item.tagName),
    );
    expect(tabbable).toEqual(["A"]);
    await page.focus("#search");
    await page.keyboard.press("Tab");
    expect(await focusedId(page)).toBe(listed[0]);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    expect(await focusedId(page)).toBe(listed[2]);
    await page.keyboard.press("End");
    expect(await focusedId(page)).toBe(listed.at(-1));
    await page.keyboard.press("Home");
    expect(await focusedId(page)).toBe(listed[0]);
    await page.keyboard.press("ArrowDown");
    // Tab leaves the list in one press; Shift+Tab comes back to the item last visited.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.closest("#conversation-list"))).toBeNull();
    await page.keyboard.press("Shift+Tab");
    expect(await focusedId(page)).toBe(listed[1]);
    // ArrowRight reaches the item's Delete button, ArrowLeft comes back.
    await page.keyboard.press("ArrowRight");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toMatch(/^Delete “/);
    await page.keyboard.press("ArrowLeft");
    expect(await focusedId(page)).toBe(listed[1]);
    await page.keyboard.press("Enter");
    await page.waitForFunction((id) => location.hash === `#/c/${id}`, listed[1]);
    await context.close();
  }, 60_000);

  test(`${name}: a conversation is deleted from the list, by its button and by the Delete key`, async () => {
    const [keep, byButton, byKey] = await conversations(3, `${name} delete`);
    const { page, context } = await openChat(setup.browser, `${setup.url}/#/c/${keep}`, { viewport });
    await page.waitForFunction(() => document.querySelector("#title")?.textContent?.includes("delete 0"));
    await showList(page);
    const item = (id: string | undefined) => `#conversation-list li:has(a[data-id="${id}"])`;
    await page.hover(item(byButton));
    await page.click(`${item(byButton)} button.conversation-delete`);
    await page.waitForSelector("#confirm-delete[open]");
    expect(await page.textContent("#delete-name")).toBe(`${name} delete 1`);
    await page.click("#confirm-delete button[value=delete]");
    await page.waitForSelector(item(byButton), { state: "detached" });
    expect((await fetch(`${setup.url}/api/conversations/${byButton}`)).status).toBe(404);
    // The open conversation is still open: deleting another changes nothing else.
    expect(new URL(page.url()).hash).toBe(`#/c/${keep}`);
    await showList(page);
    await page.focus(`#conversation-list a[data-id="${byKey}"]`);
    await page.keyboard.press("Delete");
    await page.waitForSelector("#confirm-delete[open]");
    // Cancel first: nothing is deleted, and focus is back in the list.
    await page.keyboard.press("Escape");
    expect((await fetch(`${setup.url}/api/conversations/${byKey}`)).status).toBe(200);
    expect(await page.evaluate(() => document.activeElement?.closest("#conversation-list") !== null)).toBe(true);
    await page.focus(`#conversation-list a[data-id="${byKey}"]`);
    await page.keyboard.press("Delete");
    await page.click("#confirm-delete button[value=delete]");
    await page.waitForSelector(item(byKey), { state: "detached" });
    expect((await fetch(`${setup.url}/api/conversations/${byKey}`)).status).toBe(404);
    await context.close();
  }, 60_000);

  test(`${name}: deleting the open conversation from the list leaves a new chat`, async () => {
    const { page, context } = await openChat(setup.browser, setup.url, { viewport });
    await send(page, "/sim tokens=3\nTo be deleted");
    await finishedAnswer(page);
    const id = decodeURIComponent(page.url().split("#/c/")[1] ?? "");
    await showList(page);
    await page.focus(`#conversation-list a[data-id="${id}"]`);
    await page.keyboard.press("Delete");
    await page.click("#confirm-delete button[value=delete]");
    await page.waitForFunction(() => document.querySelector("#title")?.textContent === "New chat");
    expect(page.url()).not.toContain("#/c/");
    expect((await fetch(`${setup.url}/api/conversations/${id}`)).status).toBe(404);
    await context.close();
  }, 60_000);
}
