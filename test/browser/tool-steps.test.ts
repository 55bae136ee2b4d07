/**
 * Tool steps on the chat page, in headless Chromium through the real stack (nginx, app, embedded
 * simulator) with the test tool server as the operator's MCP server, at desktop and phone width:
 * each call shown collapsed (name and how it went) above the answer, opening onto its arguments
 * and result; a result that is markup is shown as text and never runs (the negative control: the
 * same markup in the page as HTML would make an element); a reload shows the stored steps alike;
 * the tools switch turns a conversation's tools off.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { startToolServer, type ToolServer, writeServersFile } from "../../harness/tool-server.ts";
import { type ChatSetup, conversationIdOf, finishedAnswer, openChat, send, startChatSetup } from "./chat-page.ts";

let tools: ToolServer;
let setup: ChatSetup;
beforeAll(async () => {
  tools = startToolServer();
  setup = await startChatSetup({
    MCP_SERVERS_FILE: writeServersFile([{ name: "tests", url: tools.url, tools: "*" }]),
    SIM_TOKENS_PER_SECOND: "400",
  });
}, 60_000);
afterAll(async () => {
  await setup?.stop();
  await tools?.stop();
}, 60_000);

const MARKUP = '<img src=x onerror="alert(1)"><b>bold</b>';
const ASK = `/sim tokens=8 call=fast:${encodeURIComponent(JSON.stringify({ text: MARKUP }))} call=slow:{"ms":400}\nUse the tools`;
const steps = "#thread .message.assistant:last-child .tool-step";

/** What the page shows of the last answer's steps: name, status, whether open, inside the viewport. */
function shownSteps(page: Page) {
  return page.$$eval(steps, (elements) =>
    elements.map((element) => {
      const box = element.getBoundingClientRect();
      return {
        name: element.querySelector(".tool-step-name")?.textContent,
        status: element.querySelector(".tool-step-status")?.textContent,
        open: (element as HTMLDetailsElement).open,
        fits: box.left >= 0 && box.right <= window.innerWidth,
      };
    }),
  );
}

for (const [label, viewport] of [
  ["desktop", { width: 1280, height: 800 }],
  ["phone", { width: 390, height: 844 }],
] as const) {
  test(`tool steps are shown collapsed, open onto their arguments and untrusted result, and survive a reload (${label})`, async () => {
    const { page, context, dialogs, errors } = await openChat(setup.browser, setup.url, { viewport });
    await send(page, ASK);
    expect((await finishedAnswer(page)).status).toBe("complete");
    const expected = [
      { name: "tests__fast", status: "Done", open: false, fits: true },
      { name: "tests__slow", status: "Done", open: false, fits: true },
    ];
    expect(await shownSteps(page)).toEqual(expected);
    await page.click(`${steps}:first-child summary`);
    const texts = await page.$$eval(`${steps}:first-child .tool-step-text`, (pres) =>
      pres.map((pre) => pre.textContent),
    );
    expect(texts).toEqual([JSON.stringify({ text: MARKUP }, null, 2), `echo: ${MARKUP}`]);
    expect(await page.$$eval(".tool-steps img, .tool-steps b", (found) => found.length)).toBe(0);
    // The negative control: the same text set as HTML does make elements, so 0 above means it was text.
    const asHtml = await page.evaluate((markup) => {
      const probe = document.createElement("div");
      probe.innerHTML = markup;
      return probe.querySelectorAll("img, b").length;
    }, MARKUP);
    expect(asHtml).toBe(2);
    expect(await page.textContent("#thread .message.assistant:last-child .content")).toContain("Tool results:");
    await page.screenshot({ path: `test-results/tool-steps-${label}.png` });

    await page.reload();
    await page.waitForSelector(`${steps}[data-status=ok]`);
    expect(await shownSteps(page)).toEqual(expected);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
}

test("the tools switch turns the conversation's tools off; its answers then call none", async () => {
  const { page, context } = await openChat(setup.browser, setup.url);
  await page.waitForSelector(".tools-field:not([hidden])");
  expect(await page.isChecked("#tools-toggle")).toBe(true);
  await page.click("#tools-toggle");
  const before = tools.calls.length;
  await send(page, "/sim tokens=4 call=fast\nNo tools");
  expect((await finishedAnswer(page)).status).toBe("complete");
  expect(await page.$$(steps)).toHaveLength(0);
  expect(tools.calls.length).toBe(before);
  const id = conversationIdOf(page);
  const stored = await page.evaluate(async (conversation) => {
    const response = await fetch(`/api/conversations/${conversation}`);
    return ((await response.json()) as { tools: boolean | null }).tools;
  }, id);
  expect(stored).toBe(false);
  await page.reload();
  await page.waitForSelector(".tools-field:not([hidden])");
  await page.waitForFunction(() => !(document.getElementById("tools-toggle") as HTMLInputElement).checked);
  await context.close();
}, 60_000);
