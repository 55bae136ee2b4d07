/**
 * The page's frame holds at desktop and phone width: the page never scrolls as a whole (only the
 * transcript does), tables scroll sideways instead of breaking words, every button is a 44 px
 * touch target on a phone, the transcript scrolls from the keyboard, and the phone drawer is modal.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { type ChatSetup, finishedAnswer, openChat, send, startChatSetup } from "./chat-page.ts";

let setup: ChatSetup;
let address = "";

const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };

const table = [
  "| Algorithm | Complexity | Pessimistic | Stability | Memory | Parallelism |",
  "|---|---|---|---|---|---|",
  "| Quicksort | Logarithmic | Quadratic | Unstable | Logarithmic | Straightforward |",
  "| Mergesort | Logarithmic | Logarithmic | Stable | Linear | Straightforward |",
].join("\n");

beforeAll(async () => {
  setup = await startChatSetup({ SIM_TOKENS_PER_SECOND: "2000", SIM_TTFT_MS: "20" });
  const { page, context } = await openChat(setup.browser, setup.url);
  // About four screens of text, a table, and a code block: long enough to scroll.
  const paragraphs = Array.from({ length: 40 }, (_, i) => `Paragraph ${i}: the river runs past the mill.`);
  await send(page, `/echo ${paragraphs.join("\n\n")}\n\n${table}\n\n\`\`\`ts\nconst a = 1;\n\`\`\``);
  expect((await finishedAnswer(page)).status).toBe("complete");
  address = page.url();
  await context.close();
}, 90_000);

afterAll(async () => {
  await setup?.stop();
}, 60_000);

async function openLong(viewport: { width: number; height: number }) {
  const chat = await openChat(setup.browser, address, { viewport });
  await chat.page.waitForSelector("#thread .message.assistant[data-status] table");
  return chat;
}

/** The page as a whole: how far it is scrolled, and how tall its scrollable area is. */
const pageScroll = (page: Page) =>
  page.evaluate(() => ({
    top: document.scrollingElement?.scrollTop ?? -1,
    height: document.scrollingElement?.scrollHeight ?? -1,
    window: window.innerHeight,
  }));

async function wheelOver(page: Page, selector: string): Promise<void> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  await page.mouse.move(box.x + box.width / 2, box.y + Math.min(box.height / 2, 20));
  for (const delta of [1500, 3000, -200, 3000]) await page.mouse.wheel(0, delta);
  await page.waitForTimeout(150);
}

for (const [name, viewport] of [
  ["desktop", desktop],
  ["phone", phone],
] as const) {
  test(`${name}: the page never scrolls as a whole; only the transcript does`, async () => {
    const { page, context, errors } = await openLong(viewport);
    const regions = [".topbar", "#messages", ".composer", ...(name === "desktop" ? [".sidebar"] : [])];
    for (const region of regions) {
      await wheelOver(page, region);
      expect({ region, ...(await pageScroll(page)) }).toEqual({
        region,
        top: 0,
        height: viewport.height,
        window: viewport.height,
      });
    }
    // The transcript itself did scroll (to its end, by the wheel), so the check above saw a long one.
    const transcript = await page.evaluate(() => {
      const scroller = document.querySelector("#messages") as HTMLElement;
      return { scrollHeight: scroller.scrollHeight, clientHeight: scroller.clientHeight };
    });
    expect(transcript.scrollHeight).toBeGreaterThan(transcript.clientHeight * 3);
    // The header and the composer are still on screen.
    for (const selector of [".topbar", ".composer"]) {
      const box = await page.locator(selector).boundingBox();
      expect(box?.y ?? -1).toBeGreaterThanOrEqual(0);
      expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(viewport.height + 0.5);
    }
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
}

test("phone: a wide table scrolls sideways instead of breaking its words", async () => {
  const { page, context } = await openLong(phone);
  const result = await page.evaluate(() => {
    const box = document.querySelector(".table-scroll") as HTMLElement;
    const cells = [...box.querySelectorAll("th, td")].filter((cell) => !cell.textContent?.includes(" "));
    // A one-word cell on one line: its text has a single line box.
    const broken = cells.filter((cell) => {
      const range = document.createRange();
      range.selectNodeContents(cell);
      return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size > 1;
    });
    return {
      oneWordCells: cells.length,
      broken: broken.map((cell) => cell.textContent),
      scrolls: box.scrollWidth > box.clientWidth,
      pageWidth: document.documentElement.scrollWidth,
    };
  });
  expect(result.oneWordCells).toBeGreaterThanOrEqual(5);
  expect(result.broken).toEqual([]);
  expect(result.scrolls).toBe(true);
  expect(result.pageWidth).toBeLessThanOrEqual(phone.width);
  // The table's box takes focus, so the keyboard scrolls it too.
  await page.focus(".table-scroll");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight");
  await page.waitForFunction(() => (document.querySelector(".table-scroll") as HTMLElement).scrollLeft > 0);
  await context.close();
}, 60_000);

test("phone: every visible button is at least 44 px on each side, in the drawer too", async () => {
  const { page, context } = await openLong(phone);
  const smallButtons = () =>
    page.evaluate(() =>
      [...document.querySelectorAll("button")]
        .filter((button) => button.checkVisibility({ visibilityProperty: true }))
        .map((button) => ({ button, box: button.getBoundingClientRect() }))
        .filter(({ box }) => box.width < 44 || box.height < 44)
        .map(
          ({ button, box }) => `${button.getAttribute("aria-label") ?? button.textContent} ${box.width}x${box.height}`,
        ),
    );
  const counted = await page.evaluate(
    () =>
      [...document.querySelectorAll("button")].filter((b) => b.checkVisibility({ visibilityProperty: true })).length,
  );
  // Menu, rename, delete, send, two copy buttons on messages and one on the code block.
  expect(counted).toBeGreaterThanOrEqual(7);
  expect(await smallButtons()).toEqual([]);
  await page.click("#menu");
  await page.waitForSelector("#new-chat", { state: "visible" });
  expect(await smallButtons()).toEqual([]);
  await context.close();
}, 60_000);

test("the transcript is in the tab order and scrolls from the keyboard", async () => {
  const { page, context } = await openLong(desktop);
  expect(await page.getAttribute("#messages", "tabindex")).toBe("0");
  expect(await page.getAttribute("#messages", "aria-label")).toBe("Messages");
  // Shift+Tab from the message box reaches the transcript's controls and then the transcript.
  await page.focus("#prompt");
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press("Shift+Tab");
    reached = await page.evaluate(() => document.activeElement?.id === "messages");
  }
  expect(reached).toBe(true);
  const scrollTop = () => page.evaluate(() => (document.querySelector("#messages") as HTMLElement).scrollTop);
  await page.keyboard.press("Home");
  await page.waitForFunction(() => (document.querySelector("#messages") as HTMLElement).scrollTop === 0);
  await page.keyboard.press("PageDown");
  await page.waitForFunction(() => (document.querySelector("#messages") as HTMLElement).scrollTop > 200);
  const afterPageDown = await scrollTop();
  await page.keyboard.press("End");
  await page.waitForFunction(
    (before) => (document.querySelector("#messages") as HTMLElement).scrollTop > before,
    afterPageDown,
  );
  expect((await pageScroll(page)).top).toBe(0);
  await context.close();
}, 60_000);

test("phone: the drawer is modal; Tab stays inside, Esc closes it and focus returns to the menu", async () => {
  const { page, context } = await openLong(phone);
  await page.focus("#menu");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#sidebar a[aria-current]", { state: "visible" });
  expect(await page.evaluate(() => document.activeElement?.closest("#sidebar") !== null)).toBe(true);
  expect(await page.evaluate(() => (document.querySelector("#main") as HTMLElement).inert)).toBe(true);
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press(i % 3 === 2 ? "Shift+Tab" : "Tab");
    expect(await page.evaluate(() => document.activeElement?.closest("#sidebar") !== null)).toBe(true);
  }
  // The page behind cannot be clicked while the drawer is open.
  expect(await page.evaluate(() => document.elementFromPoint(370, 400)?.id)).toBe("scrim");
  await page.keyboard.press("Escape");
  await page.waitForSelector("#sidebar", { state: "hidden" });
  expect(await page.evaluate(() => document.activeElement?.id)).toBe("menu");
  expect(await page.evaluate(() => (document.querySelector("#main") as HTMLElement).inert)).toBe(false);
  expect(await page.getAttribute("#menu", "aria-expanded")).toBe("false");
  await context.close();
}, 60_000);
