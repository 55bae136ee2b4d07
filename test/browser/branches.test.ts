/**
 * Versions of a message, as ChatGPT users expect them: Regenerate and Edit on the answer and the
 * question just written (no reload), each keeping the earlier version, `< n/m >` between them by
 * mouse and by keyboard, said to screen readers, and the branch shown stored on the server (so a
 * second tab follows it). At desktop and phone width.
 */
import { expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { askAfter, readConversation } from "../../harness/client/conversations.ts";
import { waitFor } from "../../harness/client/poll.ts";
import { conversationIdOf, finishedAnswer, openChat, send, useChatSetup, widths } from "./chat-page.ts";

const setup = useChatSetup({ SIM_TOKENS_PER_SECOND: "400", SIM_TTFT_MS: "20" });

const lastAnswer = "#thread .message.assistant:last-child";
const answerNav = `${lastAnswer} .branch-nav`;

/** The versions control of the last answer: its position ("2/3") and its screen-reader name. */
async function answerVersions(page: Page): Promise<{ shown: string; label: string }> {
  return {
    shown: (await page.textContent(`${answerNav} .branch-position`)) ?? "",
    label: (await page.getAttribute(answerNav, "aria-label")) ?? "",
  };
}

/** Waits until the last answer's versions control reads `shown` ("2/3"). */
async function waitForVersion(page: Page, selector: string, shown: string): Promise<void> {
  await page.waitForFunction(
    ([s, v]) => document.querySelector(`${s} .branch-position`)?.textContent === v,
    [selector, shown] as const,
    { timeout: 15_000 },
  );
}

/** The text of the last answer. */
const answerText = async (page: Page) => (await page.textContent(`${lastAnswer} .content`))?.trim() ?? "";

/** The stored id of the last answer (the simulator writes the same words for the same question). */
const answerId = (page: Page) => page.getAttribute(lastAnswer, "data-message-id");

/** The server's current leaf, once it is `expected` (bounded). */
async function serverLeafBecomes(id: string, expected: () => Promise<string | undefined>): Promise<void> {
  await waitFor("the server to show the branch", async () => {
    const want = await expected();
    return (await readConversation(setup().url, id)).current_leaf_id === want ? true : undefined;
  });
}

for (const [name, viewport] of widths) {
  test(`${name}: Regenerate on the fresh answer keeps both; < n/m > switches by mouse, said to screen readers`, async () => {
    const { page, context, errors } = await openChat(setup().browser, setup().url, { viewport });
    await send(page, "/sim tokens=6\nName a river");
    await finishedAnswer(page);
    const text = await answerText(page);
    const id = conversationIdOf(page);
    // No reload: the fresh answer offers Regenerate as soon as its stored copy is known.
    await page.click(`${lastAnswer} button:has-text("Regenerate")`, { timeout: 10_000 });
    const first = (await readConversation(setup().url, id)).messages[0]?.id;
    await waitForVersion(page, lastAnswer, "2/2");
    expect((await finishedAnswer(page)).status).toBe("complete");
    await page.waitForSelector(`${lastAnswer}[data-message-id]`);
    expect(await answerVersions(page)).toEqual({ shown: "2/2", label: "Answer 2 of 2" });
    const stored = await readConversation(setup().url, id);
    expect(stored.messages.map((m) => m.id)).toEqual([first ?? "", (await answerId(page)) ?? ""]);
    expect(stored.messages[1]?.sibling_count).toBe(2);
    const earlier = stored.messages[1]?.sibling_ids[0];
    // Back to the first version: its text is intact, and the server shows it too.
    await page.click(`${answerNav} button[aria-label="Previous answer"]`);
    await waitForVersion(page, lastAnswer, "1/2");
    expect(await answerId(page)).toBe(earlier ?? "");
    expect(await answerText(page)).toBe(text);
    await page.waitForFunction(() => document.getElementById("branch-announcer")?.textContent === "Answer 1 of 2");
    await serverLeafBecomes(id, async () => earlier);
    // The Previous button at the first version says it goes nowhere.
    expect(await page.getAttribute(`${answerNav} button[aria-label="Previous answer"]`, "aria-disabled")).toBe("true");
    // A reload shows the version chosen.
    await page.reload();
    await waitForVersion(page, lastAnswer, "1/2");
    expect(await answerId(page)).toBe(earlier ?? "");
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  test(`${name}: < n/m > by keyboard: Tab to it, Enter and the arrows; focus stays on it`, async () => {
    const { page, context, errors } = await openChat(setup().browser, setup().url, { viewport });
    await send(page, "/sim tokens=5\nName a mountain");
    await finishedAnswer(page);
    for (const expected of ["2/2", "3/3"]) {
      await page.click(`${lastAnswer} button:has-text("Regenerate")`, { timeout: 10_000 });
      await waitForVersion(page, lastAnswer, expected);
      await finishedAnswer(page);
    }
    await page.focus(`${answerNav} button[aria-label="Previous answer"]`);
    await page.keyboard.press("Enter");
    await waitForVersion(page, lastAnswer, "2/3");
    // Focus is on the same button, now under the version shown.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Previous answer");
    await page.keyboard.press("ArrowLeft");
    await waitForVersion(page, lastAnswer, "1/3");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await waitForVersion(page, lastAnswer, "3/3");
    await page.keyboard.press(" ");
    expect(await answerVersions(page)).toEqual({ shown: "3/3", label: "Answer 3 of 3" });
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  test(`${name}: Edit on the fresh question adds a version of it; both keep their answers`, async () => {
    const { page, context, errors } = await openChat(setup().browser, setup().url, { viewport });
    await send(page, "/sim tokens=4\nFirst question");
    await finishedAnswer(page);
    const question = "#thread .message.user";
    await page.click(`${question} button:has-text("Edit")`, { timeout: 10_000 });
    expect(await page.inputValue("#prompt")).toBe("/sim tokens=4\nFirst question");
    await page.fill("#prompt", "/sim tokens=4\nFirst question, edited");
    await page.press("#prompt", "Enter");
    await finishedAnswer(page);
    await waitForVersion(page, question, "2/2");
    expect(await page.getAttribute(`${question} .branch-nav`, "aria-label")).toBe("Question 2 of 2");
    expect(await page.textContent(`${question} .content`)).toContain("edited");
    await page.click(`${question} .branch-nav button[aria-label="Previous question"]`);
    await waitForVersion(page, question, "1/2");
    expect(await page.textContent(`${question} .content`)).not.toContain("edited");
    expect(await page.locator("#thread .message").count()).toBe(2);
    expect(await page.locator(`${lastAnswer}[data-status=complete]`).count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
}

test("an answer being written on another version keeps going, and is found again when its version is shown", async () => {
  const { page, context, errors } = await openChat(setup().browser, setup().url);
  await send(page, "/sim tokens=4\nName a lake");
  await finishedAnswer(page);
  // Two versions of the first answer, then a slow second question under the second one.
  await page.click(`${lastAnswer} button:has-text("Regenerate")`, { timeout: 10_000 });
  await waitForVersion(page, lastAnswer, "2/2");
  await finishedAnswer(page);
  await page.waitForSelector(`${lastAnswer}[data-message-id]`);
  await send(page, "/sim tps=8 tokens=40\nAnd a long story about it");
  await page.waitForFunction(
    (s) => (document.querySelector(`${s}.live .content`)?.textContent?.length ?? 0) > 10,
    lastAnswer,
  );
  // Away to the other version of the first answer: the story goes on out of sight.
  const firstAnswer = "#thread .message.assistant >> nth=0";
  await page.click(`${firstAnswer} >> .branch-nav button[aria-label="Previous answer"]`);
  await waitForVersion(page, lastAnswer, "1/2");
  expect(await page.locator("#thread .message").count()).toBe(2);
  expect(await page.locator(".message.live").count()).toBe(0);
  expect(await page.isVisible("#stop")).toBe(true);
  // Back: the story is there again, further on, and ends as it would have.
  await page.click(`${firstAnswer} >> .branch-nav button[aria-label="Next answer"]`);
  await page.waitForSelector(`${lastAnswer}.live, ${lastAnswer}[data-status]`);
  expect(await page.locator("#thread .message").count()).toBe(4);
  const story = await finishedAnswer(page);
  expect(story.status).toBe("complete");
  expect(story.text.split(/\s+/).length).toBeGreaterThan(20);
  expect(errors).toEqual([]);
  await context.close();
}, 90_000);

test("two tabs on one conversation: a switch in one shows in the other", async () => {
  const first = await openChat(setup().browser, setup().url);
  await send(first.page, "/sim tokens=4\nPick a colour");
  await finishedAnswer(first.page);
  await first.page.click(`${lastAnswer} button:has-text("Regenerate")`, { timeout: 10_000 });
  await waitForVersion(first.page, lastAnswer, "2/2");
  await finishedAnswer(first.page);
  const second = await first.context.newPage();
  await second.goto(first.page.url());
  await waitForVersion(second, lastAnswer, "2/2");
  await first.page.click(`${answerNav} button[aria-label="Previous answer"]`);
  await waitForVersion(first.page, lastAnswer, "1/2");
  await waitForVersion(second, lastAnswer, "1/2");
  expect(await answerId(second)).toBe(await answerId(first.page));
  await first.context.close();
}, 90_000);

test("a question sent from a view another device moved on from goes back in the box; the page shows the branch now", async () => {
  const { page, context, errors } = await openChat(setup().browser, setup().url);
  await send(page, "/sim tokens=4\nName a bird");
  await finishedAnswer(page);
  await page.waitForSelector(`${lastAnswer}[data-message-id]`);
  const id = conversationIdOf(page);
  // Another device asks after the same answer: the server's branch moves on, this page does not know.
  const elsewhere = await askAfter(setup().url, id, "/sim tokens=3\nAsked on another device", await answerId(page));
  expect(elsewhere.status).toBe(202);
  await send(page, "/sim tokens=3\nAsked here");
  await page.waitForFunction(() => document.getElementById("status-line")?.textContent?.includes("another device"));
  await page.waitForFunction(() => document.querySelectorAll("#thread .message").length === 4);
  expect(await page.textContent("#thread .message.user >> nth=1")).toContain("Asked on another device");
  expect(await page.inputValue("#prompt")).toBe("/sim tokens=3\nAsked here");
  // Control: the stale question was refused, not stored under the answer the page had shown.
  const stored = await readConversation(setup().url, id);
  expect(stored.messages.map((m) => m.content).join("\n")).not.toContain("Asked here");
  // Sent again from the view as it is now, it goes after the other device's answer.
  await page.press("#prompt", "Enter");
  await page.waitForFunction(() => document.querySelectorAll("#thread .message").length === 6);
  expect((await finishedAnswer(page)).status).toBe("complete");
  await serverLeafBecomes(id, async () => (await answerId(page)) ?? undefined);
  const after = await readConversation(setup().url, id);
  expect(after.messages.map((m) => m.content)[4]).toBe("/sim tokens=3\nAsked here");
  expect(errors).toEqual([]);
  await context.close();
}, 90_000);
