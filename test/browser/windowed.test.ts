/**
 * Long conversations open at once: the page reads the newest part of the branch first and older
 * parts as the reader scrolls up, keeping what is in view where it was; long answers render when
 * they come near the view, a very long one shows its start with Show all, and a message the read
 * cut is fetched whole on demand. A search hit opens its conversation on the branch that holds the
 * match, scrolled to it, however far up it is. At desktop and phone width.
 */
import { expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { callJson } from "../../harness/client/api.ts";
import { readConversation, seedConversation, turnIn } from "../../harness/client/conversations.ts";
import { type ChatSetup, openChat, useChatSetup, widths } from "./chat-page.ts";

/** 60 exchanges: 120 messages, more than one read serves. */
let long = "";
/** Two long answers, one over the folding size. */
let large = "";
/** A question longer than a read's bytes. */
let cut = "";
const fast = "/sim tps=5000 ttft_ms=0";

async function seed({ url }: ChatSetup): Promise<void> {
  const questions = Array.from({ length: 60 }, (_, i) => `${fast} tokens=20\nQuestion number ${i + 1}`);
  long = await seedConversation(url, questions);
  const paragraph = (i: number) => `Paragraph ${i} of a long answer, with **some** words and \`code\`.\n\n`;
  const answer = (paragraphs: number) => Array.from({ length: paragraphs }, (_, i) => paragraph(i)).join("");
  large = await seedConversation(url, [
    `${fast}\n/echo ${answer(300)}`,
    `${fast}\n/echo ${answer(1_400)}`,
    `${fast} tokens=3\nThanks`,
  ]);
  cut = await seedConversation(url, [`${fast} tokens=3\n${"a pasted log line that goes on\n".repeat(10_000)}`]);
}

const setup = useChatSetup({ SIM_TTFT_MS: "0", SIM_TOKENS_PER_SECOND: "5000", MAX_OUTPUT_TOKENS: "100000" }, seed);

const count = (page: Page) => page.locator("#thread .message").count();

for (const [name, viewport] of widths) {
  test(`${name}: a long conversation opens at its end; older messages load above, the view stays still`, async () => {
    const { page, context, errors } = await openChat(setup().browser, `${setup().url}/#/c/${long}`, { viewport });
    await page.waitForSelector("#thread .message.assistant[data-message-id]");
    const first = await count(page);
    expect(first).toBeLessThan(120);
    expect(await page.textContent("#thread .message.user >> nth=-1")).toContain("Question number 60");
    // Scrolled to the top of what is loaded: the first message shown stays where it is as older ones come.
    const before = await page.evaluate(() => {
      const scroller = document.getElementById("messages") as HTMLElement;
      scroller.scrollTop = 0;
      const top = document.querySelector("#thread .message") as HTMLElement;
      return { id: top.dataset.messageId, y: top.getBoundingClientRect().top };
    });
    await page.waitForFunction((n) => document.querySelectorAll("#thread .message").length > n, first);
    const after = await page.evaluate(
      (id) => document.querySelector(`#thread [data-message-id="${id}"]`)?.getBoundingClientRect().top,
      before.id,
    );
    expect(Math.abs((after ?? 0) - before.y)).toBeLessThanOrEqual(2);
    // Scrolling up further reaches the first question.
    await page.waitForFunction(() => {
      (document.getElementById("messages") as HTMLElement).scrollTop = 0;
      return document.querySelectorAll("#thread .message").length === 120;
    });
    expect(await page.textContent("#thread .message.user >> nth=0 >> .content")).toEndWith("Question number 1");
    expect(await page.isHidden(".older-messages")).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  test(`${name}: long answers render near the view; a very long one shows its start, and all on demand`, async () => {
    const { page, context, errors } = await openChat(setup().browser, `${setup().url}/#/c/${large}`, { viewport });
    await page.waitForSelector("#thread .message.assistant[data-message-id]");
    const answers = page.locator("#thread .message.assistant");
    expect(await answers.count()).toBe(3);
    // The far one waits as its plain text; the one in view is rendered, folded past its start.
    expect(await answers.nth(0).locator(".content.pending").count()).toBe(1);
    expect(await answers.nth(0).locator(".content p").count()).toBe(0);
    const folded = answers.nth(1);
    await folded.locator(".show-all").waitFor();
    expect(await folded.locator(".content.pending").count()).toBe(0);
    const shown = await folded.locator(".content p").count();
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(1_400);
    await folded.locator(".show-all").click();
    await folded.locator(".show-all").waitFor({ state: "detached" });
    expect(await folded.locator(".content p").count()).toBe(1_400);
    // Scrolled to, the first answer renders.
    await answers.nth(0).scrollIntoViewIfNeeded();
    await answers.nth(0).locator(".content:not(.pending) p >> nth=0").waitFor();
    expect(await answers.nth(0).locator(".content p").count()).toBe(300);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  test(`${name}: a question longer than a read is cut, and Show all fetches it whole`, async () => {
    const { page, context, errors } = await openChat(setup().browser, `${setup().url}/#/c/${cut}`, { viewport });
    const question = page.locator("#thread .message.user");
    await question.locator(".show-all").waitFor();
    const whole = (await callJson(setup().url, "GET", `/api/conversations/${cut}`)).json.messages[0].content as string;
    expect((await question.locator(".content").textContent())?.length).toBeLessThan(whole.length);
    await question.locator(".show-all").click();
    await question.locator(".show-all").waitFor({ state: "detached" });
    expect(await question.locator(".content").textContent()).toBe(whole);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
}

test("a search hit opens its conversation on the branch that holds the match, scrolled to it", async () => {
  const id = await seedConversation(setup().url, [`${fast} tokens=4\nWhere do zebras sleep?`]);
  for (let i = 0; i < 45; i++) await turnIn(setup().url, id, { content: `${fast} tokens=20\nFiller ${i}` });
  const zebra = (await readConversation(setup().url, id)).messages.at(-1)?.id;
  // An Edit of the first question: the branch shown now has no zebra.
  await turnIn(setup().url, id, {
    content: `${fast} tokens=4\nWhere do giraffes sleep?`,
    parentId: null,
    replace: true,
  });
  for (const [, viewport] of widths) {
    const { page, context, errors } = await openChat(setup().browser, setup().url, { viewport });
    if (viewport.width < 500) await page.click("#menu");
    await page.fill("#search", "zebras");
    await page.waitForSelector("#conversation-list a .conversation-snippet");
    await page.click("#conversation-list a");
    const hit = "#thread .message.user >> nth=0";
    await page.waitForSelector("#thread .message.found");
    expect(await page.textContent(`${hit} >> .content`)).toContain("Where do zebras sleep?");
    expect(await page.textContent(`${hit} >> .branch-position`)).toBe("1/2");
    expect(await page.isVisible(hit)).toBe(true);
    const box = await page.locator(hit).boundingBox();
    expect((box?.y ?? -1) >= 0 && (box?.y ?? viewport.height) < viewport.height).toBe(true);
    // Every device shows that branch now; the address is the conversation's own again.
    expect((await readConversation(setup().url, id)).current_leaf_id).toBe(zebra ?? "");
    expect(page.url()).toMatch(/#\/c\/[^/]+$/);
    expect(errors).toEqual([]);
    await context.close();
  }
}, 180_000);
