/**
 * Custom instructions, kept figures and images on the chat page, in headless Chromium through the
 * real stack (nginx, app, simulator), at desktop and phone width, by keyboard and by mouse, under
 * the page's Content-Security-Policy with every violation recorded (and a negative control that
 * the recording works).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import {
  type ChatSetup,
  conversationIdOf,
  finishedAnswer,
  openWatched as openWatchedOn,
  pasteOrDrop,
  phone,
  send,
  startChatSetup,
} from "./chat-page.ts";
import { PNG_1, PNG_2 } from "./test-images.ts";

let setup: ChatSetup;
beforeAll(async () => {
  setup = await startChatSetup({ SYSTEM_PROMPT: "Be terse.", SIM_TOKENS_PER_SECOND: "200" });
}, 60_000);
afterAll(() => setup?.stop(), 60_000);

const openWatched = (viewport?: { width: number; height: number }) => openWatchedOn(setup, viewport);

const meta = (page: Page) => page.textContent("#thread .message.assistant:last-child .meta");

test("an answer's figures are still under it after a reload, exactly as shown live", async () => {
  const { page, context, errors } = await openWatched();
  await send(page, "/sim tokens=12\nHow fast?");
  expect((await finishedAnswer(page)).status).toBe("complete");
  const live = await meta(page);
  expect(live).toMatch(/^TTFT \d+ ms · 12 tokens · [\d.]+ (ms|s) · [\d.]+ tok\/s$/);
  await page.reload();
  await page.waitForSelector("#thread .message.assistant[data-status=complete]");
  expect(await meta(page)).toBe(live);
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);

test("custom instructions by keyboard: Esc closes without saving, Save keeps them, focus returns", async () => {
  const { page, context, violations } = await openWatched();
  await send(page, "/sim tokens=4\nFirst");
  await finishedAnswer(page);
  await page.focus("#instructions");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#instructions-dialog[open]");
  expect(await page.getAttribute("#instructions-text", "placeholder")).toContain("Be terse.");
  expect(await page.evaluate(() => document.activeElement?.id)).toBe("instructions-text");
  await page.keyboard.type("Not this.");
  await page.keyboard.press("Escape");
  await page.waitForSelector("#instructions-dialog", { state: "hidden" });
  expect(await page.evaluate(() => document.activeElement?.id)).toBe("instructions");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#instructions-dialog[open]");
  expect(await page.inputValue("#instructions-text")).toBe("");
  await page.keyboard.type("Talk like a pirate.");
  // Tab past "Use default" and Cancel to Save.
  for (let i = 0; i < 3; i++) await page.keyboard.press("Tab");
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Save");
  await page.keyboard.press("Enter");
  await page.waitForSelector("#instructions-dialog", { state: "hidden" });
  expect(await page.evaluate(() => document.activeElement?.id)).toBe("instructions");
  expect(await page.getAttribute("#instructions", "data-active")).toBe("true");
  const id = conversationIdOf(page);
  const stored = await page.evaluate(async (id) => (await fetch(`/api/conversations/${id}`)).json(), id);
  expect(stored.system_prompt).toBe("Talk like a pirate.");
  await page.reload();
  await page.waitForSelector("#thread .message.assistant");
  await page.click("#instructions");
  expect(await page.inputValue("#instructions-text")).toBe("Talk like a pirate.");
  expect(violations).toEqual([]);
  await context.close();
}, 60_000);

test("custom instructions at phone width by touch-sized mouse clicks; Use default clears them", async () => {
  const { page, context } = await openWatched(phone);
  await send(page, "/sim tokens=4\nOn the phone");
  await finishedAnswer(page);
  // On a phone the title bar's buttons are in its More menu.
  const openInstructions = async () => {
    await page.click("#more");
    await page.click("#more-menu >> text=Custom instructions");
  };
  await openInstructions();
  const box = await page.locator("#instructions-dialog").boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= phone.width).toBe(true);
  await page.fill("#instructions-text", "Answer in French.");
  await page.click("#instructions-dialog button[type=submit]");
  await page.waitForSelector("#instructions-dialog", { state: "hidden" });
  const id = conversationIdOf(page);
  const read = () =>
    page.evaluate(async (id) => (await (await fetch(`/api/conversations/${id}`)).json()).system_prompt, id);
  expect(await read()).toBe("Answer in French.");
  await openInstructions();
  await page.click("#instructions-reset");
  await page.click("#instructions-dialog button[type=submit]");
  await page.waitForSelector("#instructions-dialog", { state: "hidden" });
  expect(await read()).toBeNull();
  await context.close();
}, 60_000);

const loadedImages = (page: Page, selector: string) =>
  page.$$eval(selector, (images) =>
    (images as HTMLImageElement[]).map((image) => ({
      src: image.getAttribute("src") ?? "",
      width: image.naturalWidth,
    })),
  );

test("images pasted, dropped and picked by keyboard are sent, shown, and still shown after a reload", async () => {
  const { page, context, violations, errors } = await openWatched();
  await pasteOrDrop(page, "paste", { name: "paste.png", type: "image/png", base64: PNG_1.toString("base64") });
  await pasteOrDrop(page, "drop", { name: "drop.png", type: "image/png", base64: PNG_2.toString("base64") });
  // The Attach button is reached by keyboard from the message box, and opens the file dialog.
  await page.focus("#prompt");
  await page.keyboard.press("Shift+Tab");
  expect(await page.evaluate(() => document.activeElement?.id)).toBe("attach");
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.keyboard.press("Enter")]);
  await chooser.setFiles({ name: "picked.png", mimeType: "image/png", buffer: PNG_1 });
  await page.waitForFunction(() => document.querySelectorAll("#attachments img").length === 3);
  await send(page, "/echo what is in these?");
  expect(await finishedAnswer(page)).toEqual({ status: "complete", text: "what is in these?" });
  expect(await page.locator("#attachments img").count()).toBe(0);
  const sentImages = await loadedImages(page, "#thread .message.user .message-images img");
  expect(sentImages.map((image) => image.width)).toEqual([1, 2, 1]);
  await page.reload();
  await page.waitForSelector("#thread .message.user .message-images img");
  await page.waitForFunction(() =>
    [...document.querySelectorAll<HTMLImageElement>("#thread .message-images img")].every((i) => i.complete),
  );
  const reloaded = await loadedImages(page, "#thread .message.user .message-images img");
  expect(reloaded.map((image) => image.width)).toEqual([1, 2, 1]);
  for (const image of reloaded) expect(image.src).toStartWith(`/api/conversations/${conversationIdOf(page)}/images/`);
  expect(violations).toEqual([]);
  expect(errors).toEqual([]);
  // Negative control: a remote image is a violation, and it is recorded.
  await page.evaluate(() => {
    const probe = document.createElement("img");
    probe.src = "http://192.0.2.1/x.png";
    document.body.append(probe);
  });
  await Bun.sleep(300);
  expect(violations.length).toBeGreaterThan(0);
  await context.close();
}, 90_000);

test("at phone width: attach by mouse, remove one, send; a file of no kind is refused on the page", async () => {
  const { page, context, violations } = await openWatched(phone);
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.click("#attach")]);
  await chooser.setFiles([
    { name: "a.png", mimeType: "image/png", buffer: PNG_1 },
    { name: "b.png", mimeType: "image/png", buffer: PNG_2 },
    // Neither an image nor a document (PDF or text): a zip archive's bytes.
    { name: "archive.zip", mimeType: "application/zip", buffer: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]) },
  ]);
  await page.waitForFunction(() => document.querySelectorAll("#attachments img").length === 2);
  await page.waitForFunction(() => document.querySelector("#status-line")?.textContent?.includes("archive.zip"));
  await page.click("#attachments .attachment-remove >> nth=0");
  await page.waitForFunction(() => document.querySelectorAll("#attachments img").length === 1);
  const send = await page.locator("#send").boundingBox();
  expect(send && send.x + send.width <= phone.width).toBe(true);
  // An image alone is a question.
  expect(await page.isEnabled("#send")).toBe(true);
  await page.click("#send");
  expect((await finishedAnswer(page)).status).toBe("complete");
  expect((await loadedImages(page, "#thread .message.user .message-images img")).map((i) => i.width)).toEqual([2]);
  expect(violations).toEqual([]);
  await context.close();
}, 60_000);
