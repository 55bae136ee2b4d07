/**
 * Model output is untrusted. Markup the model sends (here echoed back verbatim by the simulator)
 * must reach the page inert: no dialog, no handler attribute, no javascript: link, live or
 * reloaded from storage; and the page carries a CSP that refuses inline script anyway.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type ChatSetup, finishedAnswer, openChat, send, startChatSetup } from "./chat-page.ts";

let setup: ChatSetup;

beforeAll(async () => {
  setup = await startChatSetup({ SIM_TOKENS_PER_SECOND: "200" });
}, 90_000);

afterAll(async () => {
  await setup?.stop();
}, 60_000);

const payloads = [
  "<img src=x onerror=alert(1)>",
  "[x](javascript:alert(1))",
  [
    "<script>alert(2)</script>",
    '<a href="javascript:alert(3)">a3</a> <a href=" JaVaScRiPt:alert(4)">a4</a>',
    '<svg onload="window.pwned=5"><circle r="4"/></svg>',
    '<iframe src="javascript:alert(6)"></iframe>',
    '<img src="x" onerror="window.pwned=7">',
    '<div style="background:url(javascript:alert(8))">styled</div>',
    "<details open ontoggle=alert(9)>d</details>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg5KTwvc2NyaXB0Pg==)",
    "<form action=javascript:alert(10)><button>go</button></form>",
  ].join("\n\n"),
];

/** Everything on the page that could run code, as found in the message thread. */
async function activeContent(page: import("playwright-core").Page) {
  return page.evaluate(() => {
    const thread = document.querySelector("#thread") as HTMLElement;
    const handlers = [...thread.querySelectorAll("*")].flatMap((element) =>
      [...element.attributes].filter((attribute) => /^on/i.test(attribute.name)).map((a) => a.name),
    );
    const hrefs = [...thread.querySelectorAll("[href], [src], [action], [formaction]")].flatMap((element) =>
      ["href", "src", "action", "formaction"].map((name) => element.getAttribute(name) ?? ""),
    );
    return {
      handlers,
      scriptLike: thread.querySelectorAll("script, iframe, object, embed, form, style, [style]").length,
      dangerousUrls: hrefs.filter((url) => /^\s*(javascript|data:text|vbscript)/i.test(url)),
      pwned: (window as unknown as { pwned?: number }).pwned ?? null,
    };
  });
}

test("markup in an answer is inert, while streaming and after a reload", async () => {
  const { page, context, dialogs, errors } = await openChat(setup.browser, setup.url);
  for (const payload of payloads) {
    await send(page, `/echo ${payload}`);
    expect((await finishedAnswer(page)).status).toBe("complete");
  }
  const clean = { handlers: [], scriptLike: 0, dangerousUrls: [], pwned: null };
  expect(await activeContent(page)).toEqual(clean);
  // The javascript: link survives as text only; clicking it goes nowhere.
  await page.click("#thread .message.assistant >> text=x");
  await page.reload();
  await page.waitForSelector("#thread .message.assistant[data-status]");
  expect(await page.locator("#thread .message.assistant").count()).toBe(payloads.length);
  expect(await activeContent(page)).toEqual(clean);
  await Bun.sleep(300);
  expect(dialogs).toEqual([]);
  expect(errors).toEqual([]);
  // The user's own words are shown as typed, as text.
  expect(await page.textContent("#thread .message.user .content >> nth=0")).toBe(`/echo ${payloads[0]}`);
  await context.close();
}, 60_000);

test("the page is served with a strict Content-Security-Policy that blocks inline script", async () => {
  const { page, context } = await openChat(setup.browser, setup.url);
  const response = await page.goto(setup.url);
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy).toContain("default-src 'none'");
  expect(policy).toContain("script-src 'self'");
  expect(policy).toContain("style-src 'self'");
  expect(policy).not.toContain("unsafe-inline");
  expect(policy).not.toContain("unsafe-eval");
  await page.waitForSelector("#prompt");
  const inlineRan = await page.evaluate(async () => {
    const script = document.createElement("script");
    script.textContent = "window.inlineRan = true";
    document.body.append(script);
    await new Promise((resolve) => setTimeout(resolve, 50));
    return (window as unknown as { inlineRan?: boolean }).inlineRan ?? false;
  });
  expect(inlineRan).toBe(false);
  await context.close();
}, 30_000);
