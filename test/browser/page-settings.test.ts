/**
 * The page's own settings and keys, at desktop and phone width: keyboard shortcuts (new chat,
 * search, the message box, edit the last question) and the dialog that lists them; the theme
 * choice (system, light, dark), kept across a reload and set before the page is drawn; and every
 * colour of highlighted code at 4.5:1 or more against its background, light and dark.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { type ChatSetup, openChat, seededConversation, startChatSetup, widths } from "./chat-page.ts";

let setup: ChatSetup;
let address = "";

const code = [
  "/echo Code in several languages:",
  "",
  "```ts",
  "/** A doc comment */",
  "export async function load(id: string): Promise<Row | undefined> {",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source in an answer, not a template of ours
  "  const row = await db.get(`rows/${id}`, { retries: 3 }); // note",
  "  return row ?? undefined;",
  "}",
  "```",
  "",
  "```python",
  "@cache",
  "def area(r: float) -> float:",
  '    """Docstring."""',
  "    return 3.14 * r ** 2  # comment",
  "```",
  "",
  "```css",
  "@media (max-width: 10px) { .a:hover > b::after { color: #fff !important; } }",
  "```",
  "",
  "```html",
  "<!doctype html><div class=\"x\" data-a='1'>&amp; <b>bold</b></div>",
  "```",
  "",
  "```diff",
  "@@ -1,2 +1,2 @@",
  "-old line",
  "+new line",
  "```",
  "",
  "```markdown",
  "# Title",
  "- a **bold** item with `code` and [a link](https://example.org)",
  "> a quote",
  "```",
  "",
  "```yaml",
  "key: value # comment",
  "list: [1, true, null]",
  "```",
].join("\n");

beforeAll(async () => {
  setup = await startChatSetup({ SIM_TOKENS_PER_SECOND: "2000", SIM_TTFT_MS: "20" });
  address = await seededConversation(setup, ["/sim tokens=4\nFirst question", code]);
}, 90_000);

afterAll(async () => {
  await setup?.stop();
}, 60_000);

const active = (page: Page) => page.evaluate(() => document.activeElement?.id ?? "");

for (const [name, viewport] of widths) {
  test(`${name}: the shortcuts act, and ? lists them (but types a ? in the message box)`, async () => {
    const { page, context } = await openChat(setup.browser, address, { viewport });
    await page.waitForSelector("#thread .message.assistant[data-status]");
    await page.focus("#messages");
    await page.keyboard.press("Control+K");
    expect(await active(page)).toBe("search");
    expect(await page.isVisible("#search")).toBe(true);
    await page.keyboard.press("Shift+Escape");
    expect(await active(page)).toBe("prompt");
    expect(await page.evaluate(() => document.body.classList.contains("drawer-open"))).toBe(false);
    // ArrowUp in the empty box: the last question, to edit.
    await page.keyboard.press("ArrowUp");
    expect(await page.inputValue("#prompt")).toBe(code);
    await page.fill("#prompt", "");
    await page.keyboard.type("?");
    expect(await page.inputValue("#prompt")).toBe("?");
    expect(await page.isVisible("#shortcuts-dialog")).toBe(false);
    await page.focus("#messages");
    await page.keyboard.press("?");
    await page.waitForSelector("#shortcuts-dialog[open]");
    const listed = (await page.textContent("#shortcuts-dialog")) ?? "";
    for (const shortcut of ["New chat", "Search conversations", "Go to the message box", "Edit your last question"]) {
      expect(listed).toContain(shortcut);
    }
    await page.keyboard.press("Escape");
    expect(await page.isVisible("#shortcuts-dialog")).toBe(false);
    await page.keyboard.press("Control+/");
    await page.waitForSelector("#shortcuts-dialog[open]");
    await page.click("#shortcuts-close");
    // Ctrl+Shift+O: a new chat.
    await page.keyboard.press("Control+Shift+O");
    await page.waitForFunction(() => document.querySelector("#title")?.textContent === "New chat");
    expect(page.url()).not.toContain("#/c/");
    expect(await active(page)).toBe("prompt");
    await context.close();
  }, 60_000);

  test(`${name}: the theme is chosen in the sidebar, kept across a reload, and set before the page is drawn`, async () => {
    const { page, context } = await openChat(setup.browser, address, { viewport, colorScheme: "dark" });
    const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    // System (the default) follows the system's dark.
    expect(await theme()).toBe("dark");
    const dark = await background();
    if (name === "phone") await page.click("#menu");
    await page.selectOption("#theme", "light");
    expect(await theme()).toBe("light");
    expect(await background()).toBe("rgb(255, 255, 255)");
    expect(await page.getAttribute("link[data-code-theme=light]", "media")).toBe("all");
    expect(await page.getAttribute("link[data-code-theme=dark]", "media")).toBe("not all");
    // Kept, and on the root before the body exists: no flash of the other theme.
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (!document.body) return;
        (window as unknown as { themeAtBody: string | undefined }).themeAtBody = document.documentElement.dataset.theme;
        observer.disconnect();
      }).observe(document, { childList: true, subtree: true });
    });
    await page.reload();
    await page.waitForSelector("#prompt");
    expect(await page.evaluate(() => (window as unknown as { themeAtBody: string }).themeAtBody)).toBe("light");
    expect(await page.inputValue("#theme")).toBe("light");
    if (name === "phone") await page.click("#menu");
    await page.selectOption("#theme", "system");
    expect(await theme()).toBe("dark");
    expect(await background()).toBe(dark);
    await page.emulateMedia({ colorScheme: "light" });
    await page.waitForFunction(() => document.documentElement.dataset.theme === "light");
    await page.selectOption("#theme", "dark");
    expect(await theme()).toBe("dark");
    await context.close();
  }, 60_000);
}

/** Every colour in the highlighted code against what is behind it: the failures under 4.5:1. */
function lowContrast(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const rgb = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r = 0, g = 0, b = 0]: number[]) => {
      const linear = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
      return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
    };
    const ratio = (a: string, b: string) => {
      const [x, y] = [luminance(rgb(a)), luminance(rgb(b))];
      return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
    };
    const failures: string[] = [];
    for (const code of document.querySelectorAll<HTMLElement>("#thread code.hljs")) {
      const behind = getComputedStyle(code).backgroundColor;
      for (const element of [code, ...code.querySelectorAll<HTMLElement>("span[class^=hljs-]")]) {
        const style = getComputedStyle(element);
        const own = rgb(style.backgroundColor)[3] === 0 ? behind : style.backgroundColor;
        const value = ratio(style.color, own);
        if (value < 4.5) failures.push(`${element.className} ${style.color} on ${own}: ${value.toFixed(2)}`);
      }
    }
    return failures;
  });
}

for (const [name, viewport] of widths) {
  for (const scheme of ["light", "dark"] as const) {
    test(`${name}, ${scheme}: every colour of highlighted code is at 4.5:1 or more`, async () => {
      const { page, context } = await openChat(setup.browser, address, { viewport, colorScheme: scheme });
      await page.waitForSelector("#thread code.hljs span");
      const classes = await page.$$eval(
        "#thread code.hljs span[class^=hljs-]",
        (spans) => new Set(spans.map((s) => s.className)).size,
      );
      expect(classes).toBeGreaterThanOrEqual(12);
      expect(await lowContrast(page)).toEqual([]);
      // The negative control: highlight.js's own keyword colour (4.08:1 here) is caught.
      await page.evaluate(() => {
        for (const keyword of document.querySelectorAll<HTMLElement>(".hljs-keyword")) keyword.style.color = "#d73a49";
      });
      if (scheme === "light") expect((await lowContrast(page)).length).toBeGreaterThan(0);
      await context.close();
    }, 60_000);
  }
}
