/**
 * What the page says, at desktop and phone width: a lost network reads "offline", not that the
 * model is unreachable; TTFT is one figure throughout, the server's (none is shown while the
 * answer streams; the stored figure after); a failure reads in human words with its code kept.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import {
  type ChatSetup,
  conversationIdOf,
  finishedAnswer,
  openChat,
  send,
  startChatSetup,
  waitForLiveText,
  widths,
} from "./chat-page.ts";

let setup: ChatSetup;

beforeAll(async () => {
  setup = await startChatSetup({ SIM_TOKENS_PER_SECOND: "50", SIM_TTFT_MS: "300" });
}, 90_000);

afterAll(async () => {
  await setup?.stop();
}, 60_000);

/** What the page says of the model and the network: the badge on a desktop, the More menu's note on a phone. */
async function reachText(page: Page, phone: boolean): Promise<{ text: string; warning: boolean }> {
  if (!phone) {
    const text = (await page.textContent("#model")) ?? "";
    return { text: `${text}: ${await page.getAttribute("#model-badge", "title")}`, warning: text !== "demo" };
  }
  const warning = (await page.getAttribute("#more", "data-warning")) === "true";
  return { text: (await page.textContent("#more-menu .menu-note")) ?? "", warning };
}

for (const [name, viewport] of widths) {
  const phone = name === "phone";

  test(`${name}: a lost network reads "offline", and recovers by itself`, async () => {
    const { page, context } = await openChat(setup.browser, setup.url, { viewport });
    await page.waitForFunction(() => document.getElementById("model")?.textContent === "demo");
    expect((await reachText(page, phone)).warning).toBe(false);
    setup.proxy.cut();
    await context.setOffline(true);
    try {
      await page.waitForFunction(() => document.getElementById("model")?.textContent === "offline");
      const said = await reachText(page, phone);
      expect(said.warning).toBe(true);
      expect(said.text).toContain("offline");
      expect(said.text).toContain("This device cannot reach Sluice");
      // Not the model's fault: the words for a silent model server are not used.
      expect(said.text).not.toContain("unreachable");
      expect(said.text).not.toContain("model server");
    } finally {
      setup.proxy.restore();
      await context.setOffline(false);
    }
    await page.waitForFunction(() => document.getElementById("model")?.textContent === "demo");
    expect((await reachText(page, phone)).warning).toBe(false);
    await context.close();
  }, 60_000);

  test(`${name}: TTFT is the server's figure: none while streaming, the stored one after`, async () => {
    const { page, context } = await openChat(setup.browser, setup.url, { viewport });
    await send(page, "/sim tokens=60\nTell me about ferries");
    await waitForLiveText(page, 20);
    const live = (await page.textContent("#thread .message.assistant.live .meta")) ?? "";
    expect(live).toMatch(/^Streaming · \d+ tokens/);
    expect(live).not.toContain("TTFT");
    expect((await finishedAnswer(page)).status).toBe("complete");
    const meta = (await page.textContent("#thread .message.assistant:last-child .meta")) ?? "";
    const stored = (await (await fetch(`${setup.url}/api/conversations/${conversationIdOf(page)}`)).json()) as {
      messages: { figures?: { ttft_ms: number | null } }[];
    };
    const ttft = stored.messages.at(-1)?.figures?.ttft_ms;
    expect(ttft).toBeGreaterThanOrEqual(300);
    expect(meta).toStartWith(`TTFT ${ttft} ms · `);
    expect(await page.getAttribute("#thread .message.assistant:last-child .meta", "title")).toContain(
      "measured by the server",
    );
    await context.close();
  }, 60_000);

  test(`${name}: a failed answer says what happened in words, with the code kept`, async () => {
    const { page, context } = await openChat(setup.browser, setup.url, { viewport });
    await send(page, "/sim fault=status:503\nThis will fail");
    expect((await finishedAnswer(page)).status).toBe("error");
    const problem = "#thread .message.assistant:last-child .problem";
    const said = async () => (await page.textContent(`${problem} p`))?.replace(/\s+/g, " ").trim();
    const expected =
      "The answer failed. The model server is not answering right now. Try again in a moment. upstream_unavailable";
    expect(await said()).toBe(expected);
    expect(await page.textContent(`${problem} code`)).toBe("upstream_unavailable");
    // The same words for the stored answer after a reload.
    await page.reload();
    await page.waitForSelector(`${problem}:not([hidden])`);
    expect(await said()).toBe(expected);
    await context.close();
  }, 60_000);
}
