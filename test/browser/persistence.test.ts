/**
 * Conversations are kept: the list, rename, delete and new chat work from the page, and all of it
 * is still there after the server restarts on the same DATA_DIR.
 */
import { afterEach, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import type { Page } from "playwright-core";
import { freshDataDir } from "../../harness/stack/spawn.ts";
import { type ChatSetup, finishedAnswer, openChat, send, startChatSetup } from "./chat-page.ts";

const setups: ChatSetup[] = [];
let dataDir = "";

afterEach(async () => {
  await Promise.all(setups.splice(0).map((setup) => setup.stop()));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

async function start(): Promise<ChatSetup> {
  const setup = await startChatSetup({ DATA_DIR: dataDir, SIM_TOKENS_PER_SECOND: "200" });
  setups.push(setup);
  return setup;
}

const listTitles = (page: Page) => page.locator("#conversation-list a").allTextContents();

async function ask(page: Page, question: string): Promise<void> {
  await send(page, question);
  expect((await finishedAnswer(page)).status).toBe("complete");
}

test("list, new chat, rename and delete from the page; all kept across a restart", async () => {
  dataDir = freshDataDir();
  const first = await start();
  const { page, context } = await openChat(first.browser, first.url);
  await ask(page, "/sim tokens=8\nFirst question");
  await ask(page, "/sim tokens=8\nA follow-up");
  for (const question of ["Second topic", "Third topic"]) {
    await page.click("#new-chat");
    await page.waitForSelector("#welcome", { state: "visible" });
    expect(await page.textContent("#title")).toBe("New chat");
    await ask(page, `/sim tokens=6\n${question}`);
  }
  await page.waitForFunction(() => document.querySelectorAll("#conversation-list a").length === 3);
  expect(await listTitles(page)).toEqual(["Third topic", "Second topic", "First question"]);

  await page.click("#rename");
  await page.fill("#rename-input", "Renamed topic");
  await page.press("#rename-input", "Enter");
  await page.waitForFunction(() => document.querySelector("#title")?.textContent === "Renamed topic");
  await page.waitForFunction(() => document.querySelector("#conversation-list a")?.textContent === "Renamed topic");

  await page.click("#conversation-list a >> text=Second topic");
  await page.waitForFunction(() => document.querySelector("#title")?.textContent === "Second topic");
  await page.click("#delete");
  await page.click("#confirm-delete button[value=delete]");
  await page.waitForFunction(() => document.querySelectorAll("#conversation-list a").length === 2);
  expect(await page.textContent("#title")).toBe("New chat");
  await context.close();
  await first.stop();
  setups.length = 0;

  const second = await start();
  const reopened = await openChat(second.browser, second.url);
  await reopened.page.waitForFunction(() => document.querySelectorAll("#conversation-list a").length === 2);
  expect(await listTitles(reopened.page)).toEqual(["Renamed topic", "First question"]);
  await reopened.page.click("#conversation-list a >> text=First question");
  await reopened.page.waitForFunction(() => document.querySelectorAll("#thread .message").length === 4);
  const texts = await reopened.page.locator("#thread .message.user .content").allTextContents();
  expect(texts).toEqual(["/sim tokens=8\nFirst question", "/sim tokens=8\nA follow-up"]);
  const statuses = await reopened.page
    .locator("#thread .message.assistant")
    .evaluateAll((elements) => elements.map((element) => (element as HTMLElement).dataset.status));
  expect(statuses).toEqual(["complete", "complete"]);
  await reopened.context.close();
}, 120_000);
