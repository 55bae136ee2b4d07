/**
 * Model output cannot pass for the page (issue 9 §5): it keeps no id, class, style, name or role,
 * so it can neither clobber the page's elements nor dress up as its buttons, and a link stays a
 * link only to an http(s) or mailto address. The same checks run against the raw, unsanitized
 * render of the same text must find all of it (the negative control).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Marked } from "marked";
import type { Page } from "playwright-core";
import { type ChatSetup, finishedAnswer, openChat, send, startChatSetup } from "./chat-page.ts";

let setup: ChatSetup;

beforeAll(async () => {
  setup = await startChatSetup({ SIM_TOKENS_PER_SECOND: "400", SIM_TTFT_MS: "20" });
}, 90_000);

afterAll(async () => {
  await setup?.stop();
}, 60_000);

const hostile = [
  '<div id="prompt" class="composer-box" style="position:fixed;inset:0">fake composer</div>',
  '<button class="send-button" id="send">fake send</button> <span class="button danger" role="button">Delete</span>',
  '<img name="getElementById" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="> <a name="title" id="thread">t</a>',
  '<p class="message user" data-status="complete" aria-label="You">a fake question</p>',
  "[relative](/api/conversations) [hash](#/c/other) [ftp](ftp://example.org/x) [js](javascript:alert(1))",
  '[web](https://example.org/ok) [mail](mailto:someone@example.org) <a href="vbscript:x">vb</a>',
  "$\\href{javascript:alert(1)}{x}$ and $\\htmlId{prompt}{y}$",
].join("\n\n");

// The classes the page itself adds to an answer after sanitizing (code blocks, tables, task lists).
const pageClasses =
  /^(code-block|code-header|code-language|copy-button|copy-caption|hljs(-.*)?|table-scroll|task|visually-hidden)$/;

/** What in model markup could pass for the page; run on the page's answers, or on raw HTML. */
function findings(page: Page, rawHtml?: string) {
  return page.evaluate(
    ([raw, classPattern]) => {
      const roots = raw
        ? [new DOMParser().parseFromString(raw, "text/html").body]
        : [...document.querySelectorAll("#thread .message.assistant .content")];
      const elements = roots.flatMap((root) => [...root.querySelectorAll("*")]);
      const pattern = new RegExp(classPattern);
      return {
        ids: elements.filter((e) => e.hasAttribute("id")).map((e) => e.id),
        classes: elements.flatMap((e) => [...e.classList]).filter((c) => !pattern.test(c)),
        styles: elements.filter((e) => e.hasAttribute("style")).length,
        names: elements.filter((e) => e.hasAttribute("name")).length,
        roles: elements.filter((e) => e.hasAttribute("role") && !e.matches(".table-scroll")).length,
        buttons: elements.filter((e) => e.matches("button") && !e.matches(".copy-button")).length,
        hrefs: elements.filter((e) => e.hasAttribute("href")).map((e) => e.getAttribute("href")),
      };
    },
    [rawHtml ?? "", pageClasses.source] as const,
  );
}

test("hostile markup in an answer cannot pass for the page, streaming and reloaded; the raw render would", async () => {
  const { page, context, dialogs, errors } = await openChat(setup.browser, setup.url);
  await send(page, `/echo ${hostile}`);
  expect((await finishedAnswer(page)).status).toBe("complete");
  const clean = { ids: [], classes: [], styles: 0, names: 0, roles: 0, buttons: 0 };
  const safeLinks = ["https://example.org/ok", "mailto:someone@example.org"];
  for (const when of ["streamed", "reloaded"]) {
    if (when === "reloaded") {
      await page.reload();
      await page.waitForSelector("#thread .message.assistant[data-status]");
    }
    const found = await findings(page);
    expect({ when, ...found }).toEqual({ when, ...clean, hrefs: safeLinks });
    // The page's own elements are still the ones found by id, and document lookups still work.
    const own = await page.evaluate(() => ({
      prompt: document.getElementById("prompt")?.tagName,
      send: document.getElementById("send")?.closest("#composer") !== null,
      thread: document.getElementById("thread")?.tagName,
      lookup: typeof document.getElementById,
    }));
    expect(own).toEqual({ prompt: "TEXTAREA", send: true, thread: "DIV", lookup: "function" });
    // The refused links are text: their words are there, but nothing to follow.
    const text = await page.textContent("#thread .message.assistant .content");
    for (const word of ["relative", "hash", "ftp", "js", "vb", "fake send"]) expect(text).toContain(word);
    expect(await page.locator("#thread .message").count()).toBe(2);
  }
  // Negative control: the same text rendered without sanitizing carries all of it.
  const raw = await findings(page, new Marked({ gfm: true }).parse(hostile) as string);
  expect(raw.ids).toEqual(expect.arrayContaining(["prompt", "send", "thread"]));
  expect(raw.classes).toEqual(expect.arrayContaining(["composer-box", "send-button", "danger", "message"]));
  expect(raw.styles).toBeGreaterThan(0);
  expect(raw.names).toBeGreaterThan(0);
  expect(raw.roles).toBeGreaterThan(0);
  expect(raw.buttons).toBeGreaterThan(0);
  expect(raw.hrefs).toEqual(expect.arrayContaining(["/api/conversations", "#/c/other", "ftp://example.org/x"]));
  expect(dialogs).toEqual([]);
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);

test("a link that stays is safe to follow: it opens apart, telling the target nothing", async () => {
  const { page, context } = await openChat(setup.browser, setup.url);
  await send(page, "/echo [web](https://example.org/ok)");
  expect((await finishedAnswer(page)).status).toBe("complete");
  const link = page.locator("#thread .message.assistant .content a");
  expect(await link.getAttribute("target")).toBe("_blank");
  expect(await link.getAttribute("rel")).toBe("noopener noreferrer nofollow");
  await context.close();
}, 30_000);
