/**
 * Continue is an answer like any other while it is written: Stop ends it (stopped again, its text
 * kept, Continue offered again), and a reload mid-way finds it again, still streaming after the
 * text it extends. The continuation is slow here: the instruction Sluice sends to ask for the
 * rest carries the simulator's pace.
 */
import { expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { readConversation } from "../../harness/client/conversations.ts";
import { conversationIdOf, lastAnswer, openChat, send, storedLastAnswer, useChatSetup } from "./chat-page.ts";

const setup = useChatSetup({
  SIM_TOKENS_PER_SECOND: "40",
  SIM_TTFT_MS: "20",
  CONTINUE_MODE: "instruction",
  CONTINUE_INSTRUCTION: "/sim tps=5 tokens=30\nGo on",
});

/** Waits until the answer being written shows more than `length` characters. */
async function liveLongerThan(page: Page, length: number): Promise<void> {
  await page.waitForFunction(
    ([s, min]) => (document.querySelector(`${s}.live .content`)?.textContent?.trim().length ?? 0) > min,
    [lastAnswer, length] as const,
    { timeout: 15_000 },
  );
}

test("a Continue being written survives a reload, and Stop ends it as any answer, its text kept", async () => {
  const { page, context, errors } = await openChat(setup().browser, setup().url);
  await send(page, "/sim tps=5 tokens=30\nCount slowly");
  await liveLongerThan(page, 0);
  await page.click("#stop");
  const stopped = await storedLastAnswer(page);
  expect(stopped.status).toBe("cancelled");
  await page.click(`${lastAnswer} button:has-text("Continue")`);
  await liveLongerThan(page, stopped.text.length + 2);
  // A reload mid-way: the page finds the answer still being written, after the text it extends.
  await page.reload();
  await liveLongerThan(page, stopped.text.length + 4);
  expect(((await page.textContent(`${lastAnswer} .content`)) ?? "").trim().startsWith(stopped.text)).toBe(true);
  expect(await page.locator("#thread .message").count()).toBe(2);
  await page.click("#stop");
  const again = await storedLastAnswer(page);
  expect(again.status).toBe("cancelled");
  expect(again.id).toBe(stopped.id);
  expect(again.text.startsWith(stopped.text)).toBe(true);
  expect(again.text.length).toBeGreaterThan(stopped.text.length);
  expect(await page.textContent(`${lastAnswer} .meta`)).toStartWith("Stopped");
  expect(await page.isVisible(`${lastAnswer} button:has-text("Continue")`)).toBe(true);
  // The server kept what the page shows: one answer, extended, not a second one.
  const stored = await readConversation(setup().url, conversationIdOf(page));
  expect(stored.messages.map((m) => m.id)).toEqual([stored.messages[0]?.id ?? "", stopped.id]);
  expect(stored.messages[1]?.content.trim()).toBe(again.text);
  expect(errors).toEqual([]);
  await context.close();
}, 90_000);
