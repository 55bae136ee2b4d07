/**
 * Opening a conversation in a fresh page, as a user does: from the list (a click), and from its
 * address (a page load). "Usable" is the first frame in which the newest answer is on screen,
 * rendered, with the view at the end: what the user came for, with the message box under it. Long
 * tasks are counted from the click until two seconds after that, so the work a page leaves for
 * later (older messages, answers rendered as they come near) is in them too.
 */
import type { Browser, Page } from "playwright-core";
import { installProbe, type PageRecord } from "./page-probe.ts";

// The work left for after "usable" is counted within this long.
const SETTLE_MS = 2_000;

export interface OpenFigures {
  /** From the click in the list to usable, ms. */
  clickToUsableMs: number;
  /** From the start of the page load (the conversation's address) to usable, ms. */
  loadToUsableMs: number;
  /** Of the open from the list: the longest task, and the time in tasks over 50 ms. */
  longestTaskMs: number;
  longTaskTotalMs: number;
  /** Messages on the page once usable. */
  messagesShown: number;
  /** Switching an answer to its other version and back (`< n/m >`): to the frame that shows it, ms; absent: no switch. */
  switchMs?: number;
  switchBackMs?: number;
}

/** Installed before the page's script: records when the page becomes usable, and clicks in the list. */
function installUsableProbe(): void {
  const record = { clickAt: -1, usableAt: -1 };
  (window as unknown as { openRecord: typeof record }).openRecord = record;
  document.addEventListener(
    "click",
    (event) => {
      if (!(event.target as Element).closest("#conversation-list a")) return;
      record.clickAt = performance.now();
      record.usableAt = -1;
    },
    true,
  );
  const usable = () => {
    const content = document.querySelector("#thread .message.assistant:last-child[data-status] .content");
    const scroller = document.getElementById("messages");
    if (!content || !scroller || content.classList.contains("pending") || !content.textContent) return false;
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
  };
  const tick = () => {
    if (record.usableAt < 0 && usable()) record.usableAt = performance.now();
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

interface OpenRecord {
  clickAt: number;
  usableAt: number;
}

const openRecord = (page: Page) => page.evaluate(() => (window as unknown as { openRecord: OpenRecord }).openRecord);

async function freshPage(browser: Browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.addInitScript(installProbe);
  await page.addInitScript(installUsableProbe);
  return { context, page };
}

async function waitUsable(page: Page): Promise<OpenRecord> {
  await page.waitForFunction(() => (window as unknown as { openRecord: OpenRecord }).openRecord.usableAt >= 0, null, {
    timeout: 60_000,
    polling: 50,
  });
  return openRecord(page);
}

/** Opens conversation `id` from the list of a page at `pageUrl`: the click's figures. */
async function openFromList(browser: Browser, pageUrl: string, id: string) {
  const { context, page } = await freshPage(browser);
  try {
    await page.goto(pageUrl);
    await page.waitForSelector(`#conversation-list a[data-id="${id}"]`);
    // Let the page finish starting (the list, the badge) before the click.
    await page.waitForTimeout(500);
    await page.click(`#conversation-list a[data-id="${id}"]`);
    const { clickAt, usableAt } = await waitUsable(page);
    await page.waitForTimeout(SETTLE_MS);
    const record = await page.evaluate(() => (window as unknown as { benchRecord: PageRecord }).benchRecord);
    const tasks = record.longTasks.filter((task) => task.start + task.duration >= clickAt);
    return {
      clickToUsableMs: usableAt - clickAt,
      longestTaskMs: Math.max(0, ...tasks.map((task) => task.duration)),
      longTaskTotalMs: tasks.reduce((sum, task) => sum + task.duration, 0),
      messagesShown: await page.locator("#thread .message").count(),
      page,
      context,
    };
  } catch (error) {
    await context.close();
    throw error;
  }
}

/**
 * Clicks `< ` (or ` >`) on the lowest answer whose button is enabled: ms from the click to the
 * frame in which that place shows the other version.
 */
function switchOnce(page: Page, label: string): Promise<number> {
  return page.evaluate(
    (label) =>
      new Promise<number>((resolve, reject) => {
        const articles = [...document.querySelectorAll("#thread > article")];
        const button = `.branch-nav button[aria-label="${label}"]:not([aria-disabled])`;
        const at = articles.findLastIndex((article) => article.querySelector(button));
        const target = articles[at]?.querySelector<HTMLButtonElement>(button);
        if (!target) return reject(new Error(`no answer with ${label}`));
        const before = articles[at]?.querySelector(".branch-position")?.textContent;
        const started = performance.now();
        target.click();
        // performance.now() rather than the frame's own time, which may precede a click made within it.
        const check = () => {
          const now = document.querySelectorAll("#thread > article")[at]?.querySelector(".branch-position");
          const elapsed = performance.now() - started;
          if (now && now.textContent !== before) resolve(elapsed);
          else if (elapsed > 10_000) reject(new Error("the version never showed"));
          else requestAnimationFrame(check);
        };
        requestAnimationFrame(check);
      }),
    label,
  );
}

/** Shows the other version of the lowest answer that has one (read from the server), then this one again (known). */
async function switchVersions(page: Page): Promise<{ switchMs: number; switchBackMs: number }> {
  const switchMs = await switchOnce(page, "Previous answer");
  const switchBackMs = await switchOnce(page, "Next answer");
  return { switchMs, switchBackMs };
}

/** Opens conversation `id` at `pageUrl` from its list and from its address; `switches`: versions too (this UI only). */
export async function measureOpen(
  browser: Browser,
  pageUrl: string,
  id: string,
  switches: boolean,
): Promise<OpenFigures> {
  const opened = await openFromList(browser, pageUrl, id);
  const { page, context, ...figures } = opened;
  const switched = switches ? await switchVersions(page) : {};
  await context.close();
  const loaded = await freshPage(browser);
  try {
    await loaded.page.goto(`${pageUrl}/#/c/${encodeURIComponent(id)}`);
    const { usableAt } = await waitUsable(loaded.page);
    return { ...figures, loadToUsableMs: usableAt, ...switched };
  } finally {
    await loaded.context.close();
  }
}
