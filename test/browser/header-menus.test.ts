/**
 * The title bar at both widths. On a phone the title gets the room and the title bar's buttons
 * and the model badge fold into one More menu; on a desktop they stay in the bar. Both menus
 * (More, Export) follow the menu-button pattern by keyboard, close when focus leaves them, and
 * the downloads are named after the title without a doubled dot. Every control on a phone is a
 * 44 px target (the message box and an image's Remove button included), and at least 24 px on a
 * desktop.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { callJson } from "../../harness/client/api.ts";
import { type ChatSetup, desktop, openChat, phone, seededConversation, startChatSetup } from "./chat-page.ts";
import { PNG_1 } from "./test-images.ts";

let setup: ChatSetup;
let address = "";

beforeAll(async () => {
  setup = await startChatSetup({ SIM_TOKENS_PER_SECOND: "2000", SIM_TTFT_MS: "20" });
  address = await seededConversation(setup, ["/sim tokens=6\nPlan the team offsite"]);
  // A title that ends in a dot, as titles taken from a sentence do.
  const id = decodeURIComponent(address.split("#/c/")[1] ?? "");
  const renamed = await callJson(setup.url, "PATCH", `/api/conversations/${id}`, { title: "offsite." });
  expect(renamed.status).toBe(200);
}, 90_000);

afterAll(async () => {
  await setup?.stop();
}, 60_000);

const focused = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? "");

async function download(page: Page, action: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [file] = await Promise.all([page.waitForEvent("download", { timeout: 10_000 }), action()]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), "utf8") };
}

test("phone: the title gets the header's room; the buttons and the badge are in More", async () => {
  const { page, context, errors } = await openChat(setup.browser, address, { viewport: phone });
  await page.waitForFunction(() => document.querySelector("#title")?.textContent === "offsite.");
  const title = await page.locator("#title").boundingBox();
  // 390 px less the menu and More buttons (44 each) and the bar's padding and gaps.
  expect(title?.width ?? 0).toBeGreaterThan(250);
  for (const hidden of ["#rename", "#export", "#share", "#delete", "#instructions", "#model-badge"]) {
    expect({ hidden, visible: await page.isVisible(hidden) }).toEqual({ hidden, visible: false });
  }
  expect(await page.isVisible("#more")).toBe(true);
  await page.click("#more");
  expect(await page.textContent("#more-menu .menu-note")).toBe("Model: demo");
  const items = await page.locator("#more-menu [role=menuitem]").allTextContents();
  expect(items).toEqual(["Rename", "Custom instructions", "Export as Markdown", "Export as JSON", "Share", "Delete"]);
  expect(errors).toEqual([]);
  await context.close();
});

test("phone: More by keyboard (arrows, Home, End, Esc, Tab), and its items act", async () => {
  const { page, context } = await openChat(setup.browser, address, { viewport: phone });
  await page.waitForFunction(() => document.querySelector("#title")?.textContent === "offsite.");
  await page.focus("#more");
  await page.keyboard.press("Enter");
  expect(await page.getAttribute("#more", "aria-expanded")).toBe("true");
  expect(await focused(page)).toBe("Rename");
  await page.keyboard.press("ArrowDown");
  expect(await focused(page)).toBe("Custom instructions");
  await page.keyboard.press("End");
  expect(await focused(page)).toBe("Delete");
  await page.keyboard.press("ArrowDown");
  expect(await focused(page)).toBe("Rename");
  await page.keyboard.press("Escape");
  expect(await page.isHidden("#more-menu")).toBe(true);
  expect(await page.evaluate(() => document.activeElement?.id)).toBe("more");
  // Tab out of the open menu closes it.
  await page.keyboard.press("ArrowUp");
  expect(await focused(page)).toBe("Delete");
  await page.keyboard.press("Tab");
  expect(await page.isHidden("#more-menu")).toBe(true);
  expect(await page.getAttribute("#more", "aria-expanded")).toBe("false");
  // Export as JSON: the download is named after the title, without a doubled dot.
  await page.click("#more");
  const json = await download(page, () => page.click("#more-menu >> text=Export as JSON"));
  expect(json.name).toBe("offsite.json");
  expect(await page.isHidden("#more-menu")).toBe(true);
  // Custom instructions opens its dialog; closing it returns focus to More (its own button is hidden).
  await page.focus("#more");
  await page.keyboard.press("Enter");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#instructions-dialog[open]");
  await page.keyboard.press("Escape");
  await page.waitForSelector("#instructions-dialog:not([open])", { state: "attached" });
  // Focus goes back to the menu button once the dialog's close has run.
  await page.waitForFunction(() => document.activeElement?.id === "more", undefined, { timeout: 5_000 });
  await context.close();
});

test("desktop: the buttons stay in the bar; Export by keyboard, and the downloads' names", async () => {
  const { page, context } = await openChat(setup.browser, address, { viewport: desktop });
  await page.waitForFunction(() => document.querySelector("#title")?.textContent === "offsite.");
  expect(await page.isVisible("#more")).toBe(false);
  for (const shown of ["#rename", "#export", "#delete", "#instructions", "#model-badge"]) {
    expect({ shown, visible: await page.isVisible(shown) }).toEqual({ shown, visible: true });
  }
  await page.focus("#export");
  await page.keyboard.press("Enter");
  expect(await page.evaluate(() => document.activeElement?.id)).toBe("export-md");
  await page.keyboard.press("ArrowDown");
  expect(await page.evaluate(() => document.activeElement?.id)).toBe("export-json");
  await page.keyboard.press("ArrowDown");
  expect(await page.evaluate(() => document.activeElement?.id)).toBe("export-md");
  await page.keyboard.press("Escape");
  expect(await page.isHidden("#export-menu")).toBe(true);
  expect(await page.evaluate(() => document.activeElement?.id)).toBe("export");
  // ArrowUp on the button opens the menu on its last item; Tab then leaves and closes it.
  await page.keyboard.press("ArrowUp");
  expect(await page.evaluate(() => document.activeElement?.id)).toBe("export-json");
  await page.keyboard.press("Tab");
  expect(await page.isHidden("#export-menu")).toBe(true);
  const markdown = await download(page, async () => {
    await page.click("#export");
    await page.click("#export-md");
  });
  expect(markdown.name).toBe("offsite.md");
  expect(markdown.text).toContain("# offsite.");
  const json = await download(page, async () => {
    await page.focus("#export");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
  });
  expect(json.name).toBe("offsite.json");
  await context.close();
});

/** Visible controls smaller than `min` px on a side (answer text's own links excepted: inline text). */
function smallControls(page: Page, min: number): Promise<string[]> {
  return page.evaluate((min) => {
    const controls = [...document.querySelectorAll("button, input, select, textarea, a[href]")].filter(
      (element) =>
        !element.closest(".markdown") && (element as HTMLElement).checkVisibility({ visibilityProperty: true }),
    );
    return controls
      .map((element) => ({ element, box: element.getBoundingClientRect() }))
      .filter(({ box }) => box.width < min || box.height < min)
      .map(({ element, box }) => {
        const name = element.getAttribute("aria-label") ?? element.id ?? element.textContent?.trim();
        return `${element.tagName.toLowerCase()} ${name} ${Math.round(box.width)}x${Math.round(box.height)}`;
      });
  }, min);
}

for (const [name, viewport, min] of [
  ["phone", phone, 44],
  ["desktop", desktop, 24],
] as const) {
  test(`${name}: every control is at least ${min} px on each side: the box, the menus, the list, an image`, async () => {
    const { page, context } = await openChat(setup.browser, address, { viewport });
    await page.waitForSelector("#thread .message.assistant[data-status]");
    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.click("#attach")]);
    await chooser.setFiles([{ name: "dot.png", mimeType: "image/png", buffer: PNG_1 }]);
    await page.waitForSelector("#attachments .attachment-remove");
    expect((await page.locator("#prompt").boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(min);
    expect(await smallControls(page, min)).toEqual([]);
    await page.click(name === "phone" ? "#more" : "#export");
    expect(await smallControls(page, min)).toEqual([]);
    await page.keyboard.press("Escape");
    if (name === "phone") {
      await page.click("#menu");
      await page.waitForSelector("#conversation-list a", { state: "visible" });
    }
    expect(await smallControls(page, min)).toEqual([]);
    // The negative control: a button of 20 px is found.
    await page.evaluate(() => {
      const tiny = document.createElement("button");
      tiny.setAttribute("aria-label", "tiny");
      // Through the CSSOM: the page's CSP refuses inline style in markup, not this.
      Object.assign(tiny.style, { position: "fixed", top: "0", left: "0", width: "20px", height: "20px" });
      document.body.append(tiny);
    });
    expect(await smallControls(page, min)).toContain("button tiny 20x20");
    await context.close();
  });
}
