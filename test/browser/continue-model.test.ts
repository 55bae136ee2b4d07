/**
 * Continue and the model per answer, at desktop and phone width: an answer cut off at the output
 * limit (or stopped) says so and offers Continue, which streams the rest into the same answer; each
 * answer names the model that wrote it, and the picker's choice is stored with the conversation.
 */
import { expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { callJson } from "../../harness/client/api.ts";
import { readConversation } from "../../harness/client/conversations.ts";
import { conversationIdOf, lastAnswer, openChat, send, storedLastAnswer, useChatSetup, widths } from "./chat-page.ts";

const setup = useChatSetup({
  // Ten tokens at most per answer: a longer one is cut off at the output limit.
  SIM_TOKENS_PER_SECOND: "40",
  SIM_TTFT_MS: "20",
  MAX_OUTPUT_TOKENS: "10",
  MODELS: "demo,demo-large",
});

const meta = (page: Page) => page.textContent(`${lastAnswer} .meta`);

for (const [name, viewport] of widths) {
  test(`${name}: a cut-off answer says so; Continue (mouse, then keyboard) appends in place until it ends`, async () => {
    const { page, context, errors } = await openChat(setup().browser, setup().url, { viewport });
    await send(page, "/sim tokens=25\nTell me a long story");
    const cut = await storedLastAnswer(page);
    expect(await meta(page)).toStartWith("Cut off at the output limit · ");
    // In view without hovering: the next thing to do with this answer.
    expect(await page.isVisible(`${lastAnswer} button:has-text("Continue")`)).toBe(true);
    await page.click(`${lastAnswer} button:has-text("Continue")`);
    await page.waitForSelector(`${lastAnswer}.live`);
    const more = await storedLastAnswer(page);
    expect(more.id).toBe(cut.id);
    expect(more.text.startsWith(cut.text)).toBe(true);
    expect(more.text.length).toBeGreaterThan(cut.text.length);
    expect(await meta(page)).toStartWith("Cut off at the output limit · ");
    await page.focus(`${lastAnswer} button:has-text("Continue")`);
    await page.keyboard.press("Enter");
    await page.waitForSelector(`${lastAnswer}.live`);
    const whole = await storedLastAnswer(page);
    expect(whole.status).toBe("complete");
    expect(await meta(page)).toMatch(/^TTFT \d+ ms · 25 tokens · /);
    expect(await page.locator(`${lastAnswer} button:has-text("Continue")`).count()).toBe(0);
    // One question, one answer (the three parts of it), on the page and on the server.
    expect(await page.locator("#thread .message").count()).toBe(2);
    const stored = await readConversation(setup().url, conversationIdOf(page));
    expect(stored.messages.map((m) => m.id)).toEqual([stored.messages[0]?.id ?? "", cut.id]);
    expect(stored.messages[1]?.content.trim()).toBe(whole.text);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  test(`${name}: a stopped answer says Stopped and offers Continue`, async () => {
    const { page, context, errors } = await openChat(setup().browser, setup().url, { viewport });
    await send(page, "/sim tps=4 tokens=8\nCount slowly");
    await page.waitForFunction(
      (s) => (document.querySelector(`${s}.live .content`)?.textContent?.length ?? 0) > 0,
      lastAnswer,
    );
    await page.click("#stop");
    const stopped = await storedLastAnswer(page);
    expect(stopped.status).toBe("cancelled");
    expect(await meta(page)).toStartWith("Stopped");
    await page.click(`${lastAnswer} button:has-text("Continue")`);
    const continued = await storedLastAnswer(page);
    expect(continued.status).toBe("complete");
    expect(continued.id).toBe(stopped.id);
    expect(continued.text.startsWith(stopped.text)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);

  test(`${name}: each answer names its model; the picker's choice is stored with the conversation`, async () => {
    const { page, context, errors } = await openChat(setup().browser, setup().url, { viewport });
    // Paced, so the regenerated answer is still being written when the page is looked at.
    await send(page, "/sim tokens=6 tps=6\nWhich model?");
    await storedLastAnswer(page);
    expect(await page.textContent(`${lastAnswer} .answer-model`)).toBe("demo");
    const id = conversationIdOf(page);
    await page.selectOption("#model-picker", "demo-large");
    await page.waitForFunction(() => document.getElementById("model")?.textContent === "demo-large");
    await page.click(`${lastAnswer} button:has-text("Regenerate")`);
    // While it is written, and once stored.
    await page.waitForSelector(`${lastAnswer}.live .answer-model:text("demo-large")`);
    await storedLastAnswer(page);
    expect(await page.textContent(`${lastAnswer} .answer-model`)).toBe("demo-large");
    expect((await readConversation(setup().url, id)).messages[1]?.model).toBe("demo-large");
    await page.click(`${lastAnswer} .branch-nav button[aria-label="Previous answer"]`);
    await page.waitForSelector(`${lastAnswer} .answer-model:text-is("demo")`);
    // The choice lives with the conversation: another browser (no localStorage) finds it there.
    const { json } = await callJson(setup().url, "GET", `/api/conversations/${id}?limit=1`);
    expect(json.model).toBe("demo-large");
    const other = await openChat(setup().browser, `${setup().url}/#/c/${id}`, { viewport });
    await other.page.waitForSelector("#model-field:not([hidden])");
    await other.page.waitForFunction(
      () => (document.getElementById("model-picker") as HTMLSelectElement).value === "demo-large",
    );
    expect(await other.page.evaluate(() => localStorage.getItem("sluice.model.last"))).toBeNull();
    expect(errors).toEqual([]);
    await Promise.all([context.close(), other.context.close()]);
  }, 90_000);
}
