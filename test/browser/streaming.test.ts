/**
 * The chat page in real Chromium through nginx: answers stream in progressively, Stop reaches the
 * model, a network cut and a page reload lose and repeat nothing, and a second tab follows along.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { waitFor } from "../../harness/client/poll.ts";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import {
  type ChatSetup,
  conversationIdOf,
  echoText,
  finishedAnswer,
  liveText,
  openChat,
  send,
  startChatSetup,
  waitForLiveText,
} from "./chat-page.ts";

let setup: ChatSetup;

beforeAll(async () => {
  setup = await startChatSetup();
}, 90_000);

afterAll(async () => {
  await setup?.stop();
}, 60_000);

test("an answer grows on the page over many frames before it is done", async () => {
  const { page, context, errors } = await openChat(setup.browser, setup.url);
  // Record the answer's length at every animation frame, from before the question is sent.
  await page.evaluate(() => {
    const lengths: number[] = [];
    (window as unknown as { lengths: number[] }).lengths = lengths;
    const sample = () => {
      const live = document.querySelector("#thread .message.assistant.live .content");
      if (live) lengths.push(live.textContent?.length ?? 0);
      requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
  });
  await send(page, "/sim ttft_ms=100 tps=25 tokens=40\nTell me about rivers");
  const answer = await finishedAnswer(page);
  expect(answer.status).toBe("complete");
  const lengths = await page.evaluate(() => (window as unknown as { lengths: number[] }).lengths);
  const distinct = new Set(lengths.filter((length) => length > 0));
  // 40 tokens at 25/s take ~1.6 s: the text must show up in many steps, never all at once.
  expect(distinct.size).toBeGreaterThanOrEqual(10);
  expect(Math.max(...lengths)).toBeLessThanOrEqual(answer.text.length + 1);
  expect(await page.textContent("#thread .message.assistant:last-child .meta")).toMatch(/TTFT \d+ ms/);
  expect(await page.textContent("#model")).toBe("demo");
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);

test("Stop (and Esc) ends the answer, and the model sees the request cancelled", async () => {
  const stats = () => fetchSimStats(setup.stack.simulatorUrl as string);
  const before = (await stats()).cancelled;
  const { page, context } = await openChat(setup.browser, setup.url);
  await send(page, "/sim tps=10 tokens=400\nA very long story");
  await waitForLiveText(page, 10);
  await page.click("#stop");
  const answer = await finishedAnswer(page);
  expect(answer.status).toBe("cancelled");
  expect(await page.textContent("#thread .message.assistant:last-child .meta")).toContain("Stopped");
  expect(await page.isVisible("#send")).toBe(true);
  await waitFor("the model to see the Stop", async () => ((await stats()).cancelled > before ? true : undefined));

  await send(page, "/sim tps=10 tokens=400\nAnother long one");
  await waitForLiveText(page, 10);
  await page.keyboard.press("Escape");
  expect((await finishedAnswer(page)).status).toBe("cancelled");
  await waitFor("the model to see the Esc", async () => ((await stats()).cancelled > before + 1 ? true : undefined));

  const stored = await (await fetch(`${setup.url}/api/conversations/${conversationIdOf(page)}`)).json();
  expect(stored.messages.map((m: { status: string }) => m.status)).toEqual([
    "complete",
    "cancelled",
    "complete",
    "cancelled",
  ]);
  await context.close();
}, 60_000);

test("a network cut mid-answer: the page says so, reconnects by itself, and loses or repeats nothing", async () => {
  const { page, context } = await openChat(setup.browser, setup.url);
  const streamRequests: Promise<string | undefined>[] = [];
  page.on("request", (request) => {
    // allHeaders(): Last-Event-ID is added below the page, so headers() does not list it.
    if (request.url().includes("/api/streams/")) {
      streamRequests.push(request.allHeaders().then((headers) => headers["last-event-id"]));
    }
  });
  const text = echoText(20);
  await send(page, `/sim tps=12\n/echo ${text}`);
  await waitForLiveText(page, 20);
  setup.proxy.cut();
  await page.waitForSelector('#thread .message.assistant[data-state="reconnecting"]', { timeout: 10_000 });
  expect(await page.textContent("#thread .message.assistant:last-child .meta")).toContain("Reconnecting");
  await Bun.sleep(1_500);
  setup.proxy.restore();
  const answer = await finishedAnswer(page);
  expect(answer).toEqual({ status: "complete", text });
  // The browser resumed: a second request for the stream, carrying the last id it had.
  const lastEventIds = await Promise.all(streamRequests);
  expect(lastEventIds.length).toBeGreaterThanOrEqual(2);
  expect(lastEventIds[0]).toBeUndefined();
  expect(Number(lastEventIds.at(-1))).toBeGreaterThan(0);
  await context.close();
}, 60_000);

test("reloading mid-answer re-attaches and shows the whole answer once", async () => {
  const { page, context } = await openChat(setup.browser, setup.url);
  const text = echoText(16);
  await send(page, `/sim tps=15\n/echo ${text}`);
  await waitForLiveText(page, 15);
  const id = conversationIdOf(page);
  await page.reload();
  await page.waitForSelector("#thread .message.assistant.live", { timeout: 10_000 });
  expect(await liveText(page)).not.toBe(text);
  expect(await finishedAnswer(page)).toEqual({ status: "complete", text });
  expect(conversationIdOf(page)).toBe(id);
  expect(await page.locator("#thread .message").count()).toBe(2);
  // And once more after it is stored: the same text, from the server this time.
  await page.reload();
  expect(await finishedAnswer(page)).toEqual({ status: "complete", text });
  await context.close();
}, 60_000);

test("a second tab on the conversation shows the same answer streaming", async () => {
  const first = await openChat(setup.browser, setup.url);
  await send(first.page, "/sim tps=40 tokens=10\nWarm up");
  await finishedAnswer(first.page);
  const address = first.page.url();
  // Same browser context: the tabs share storage and a BroadcastChannel, like a user's tabs.
  const second = await first.context.newPage();
  await second.goto(address);
  await second.waitForSelector("#thread .message.assistant[data-status]");
  const text = echoText(12);
  await send(first.page, `/sim tps=15\n/echo ${text}`);
  await second.waitForSelector("#thread .message.assistant.live", { timeout: 10_000 });
  // A third tab opened mid-answer re-attaches from the conversation's running stream.
  await waitForLiveText(first.page, 10);
  const third = await first.context.newPage();
  await third.goto(address);
  for (const page of [first.page, second, third]) {
    expect(await finishedAnswer(page)).toEqual({ status: "complete", text });
    expect(await page.locator("#thread .message").count()).toBe(4);
  }
  await first.context.close();
}, 60_000);
