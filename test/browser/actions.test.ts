/**
 * What a reader does with an answer, by mouse and by keyboard: copy a message, copy a code block
 * (labelled with its fence's language). And leaving a conversation mid-answer stops nothing: only
 * an explicit Stop may say "Stopped".
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import {
  type ChatSetup,
  echoText,
  finishedAnswer,
  openChat,
  send,
  startChatSetup,
  waitForLiveText,
} from "./chat-page.ts";

let setup: ChatSetup;

beforeAll(async () => {
  setup = await startChatSetup({ SIM_TOKENS_PER_SECOND: "400", SIM_TTFT_MS: "20" });
}, 90_000);

afterAll(async () => {
  await setup?.stop();
}, 60_000);

const answer = [
  "Run this:",
  "",
  "```python",
  "print('hello')",
  "```",
  "",
  "Then *this*:",
  "",
  "```",
  "plain text",
  "```",
].join("\n");

async function openWithAnswer(viewport: { width: number; height: number }) {
  const chat = await openChat(setup.browser, setup.url, { viewport });
  await chat.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: setup.url });
  await send(chat.page, `/echo ${answer}`);
  expect((await finishedAnswer(chat.page)).status).toBe("complete");
  return chat;
}

const clipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());
const clearClipboard = (page: Page) => page.evaluate(() => navigator.clipboard.writeText(""));

/** Tabs from the transcript until the focused element matches `selector`; false if never. */
async function tabTo(page: Page, selector: string): Promise<boolean> {
  await page.focus("#messages");
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return true;
  }
  return false;
}

for (const [name, viewport] of [
  ["desktop", { width: 1280, height: 800 }],
  ["phone", { width: 390, height: 844 }],
] as const) {
  test(`${name}: Copy on a message copies its Markdown, by mouse and by keyboard`, async () => {
    const { page, context } = await openWithAnswer(viewport);
    await page.click('#thread .message.assistant button[aria-label="Copy answer"]');
    await page.waitForFunction(
      () => document.querySelector(".message.assistant .message-actions .copy-button")?.textContent === "Copied",
    );
    expect(await clipboard(page)).toBe(answer);
    await clearClipboard(page);
    expect(await tabTo(page, '.message.user button[aria-label="Copy your message"]')).toBe(true);
    await page.keyboard.press("Enter");
    await page.waitForFunction(async () => (await navigator.clipboard.readText()) !== "");
    expect(await clipboard(page)).toBe(`/echo ${answer}`);
    await context.close();
  }, 60_000);

  test(`${name}: each code block is labelled with its language and copies its code, by mouse and keyboard`, async () => {
    const { page, context } = await openWithAnswer(viewport);
    const blocks = page.locator("#thread .message.assistant .code-block");
    expect(await blocks.locator(".code-language").allTextContents()).toEqual(["python", "text"]);
    // Highlighted: the python block has highlight.js's spans, the unlabelled one none.
    expect(await blocks.nth(0).locator("code.hljs span[class^=hljs-]").count()).toBeGreaterThan(0);
    expect(await blocks.nth(1).locator("code span").count()).toBe(0);
    await blocks.nth(0).locator("button", { hasText: "Copy" }).click();
    expect(await clipboard(page)).toBe("print('hello')");
    await expect(blocks.nth(0).locator("button").textContent()).resolves.toBe("Copied");
    await clearClipboard(page);
    expect(await tabTo(page, '.code-block:nth-of-type(2) button[aria-label="Copy code"]')).toBe(true);
    await page.keyboard.press("Space");
    await page.waitForFunction(async () => (await navigator.clipboard.readText()) !== "");
    expect(await clipboard(page)).toBe("plain text");
    await context.close();
  }, 60_000);
}

test("switching to another conversation mid-answer and back: the answer goes on, nothing says Stopped", async () => {
  const { page, context, errors } = await openChat(setup.browser, setup.url);
  const text = echoText(30);
  await send(page, `/sim tps=15\n/echo ${text}`);
  await waitForLiveText(page, 10);
  const address = page.url();
  await page.click("#new-chat");
  await page.waitForSelector("#welcome", { state: "visible" });
  await page.waitForTimeout(500);
  await page.goto(address);
  await page.waitForSelector("#thread .message.assistant");
  expect(await finishedAnswer(page)).toEqual({ status: "complete", text });
  expect(await page.textContent("#thread")).not.toContain("Stopped");
  // An explicit Stop still says so.
  await send(page, "/sim tps=10 tokens=400\nA long one");
  await waitForLiveText(page, 5);
  await page.click("#stop");
  expect((await finishedAnswer(page)).status).toBe("cancelled");
  expect(await page.textContent("#thread .message.assistant:last-child .meta")).toContain("Stopped");
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);

test("a second tab watching an answer that the first tab stops does not claim a Stop of its own", async () => {
  const first = await openChat(setup.browser, setup.url);
  await send(first.page, "/sim tokens=3\nWarm up");
  await finishedAnswer(first.page);
  const second = await first.context.newPage();
  await second.goto(first.page.url());
  await second.waitForSelector("#thread .message.assistant[data-status]");
  await send(first.page, "/sim tps=10 tokens=400\nA long one");
  await second.waitForSelector("#thread .message.assistant.live", { timeout: 10_000 });
  await waitForLiveText(first.page, 5);
  await first.page.click("#stop");
  for (const page of [first.page, second]) expect((await finishedAnswer(page)).status).toBe("cancelled");
  const meta = "#thread .message.assistant:last-child .meta";
  expect(await first.page.textContent(meta)).toMatch(/^Stopped · /);
  expect(await second.textContent(meta)).toMatch(/^Cancelled · /);
  await first.context.close();
}, 60_000);
