/**
 * Documents on the chat page, in headless Chromium through the real stack (nginx, app,
 * simulator): every kind attached by picking, pasting and dropping, at desktop and phone width;
 * shown as chips before and after sending, linked to their text once stored; judged by their
 * bytes on the page (a binary file refused, a mislabelled PDF taken); the notice when one is cut
 * to fit the window; a hostile file name shown as text; no CSP violation.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { pdfFile } from "../../harness/pdf-file.ts";
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

let setup: ChatSetup;
beforeAll(async () => {
  setup = await startChatSetup({ SIM_TOKENS_PER_SECOND: "2000", DOCUMENT_MAX_COUNT: "8" });
}, 60_000);
afterAll(() => setup?.stop(), 60_000);

const openWatched = (viewport?: { width: number; height: number }) => openWatchedOn(setup, viewport);

const PDF = Buffer.from(pdfFile([["Quarterly revenue grew by nine percent."]]));
const FILES = {
  markdown: { name: "notes.md", mimeType: "text/markdown", buffer: Buffer.from("# Notes\nShip on Friday.\n") },
  source: { name: "main.py", mimeType: "text/x-python", buffer: Buffer.from("def add(a, b):\n\treturn a + b\n") },
  json: { name: "config.json", mimeType: "application/json", buffer: Buffer.from('{"retries": 3}') },
  text: { name: "readme.txt", mimeType: "text/plain", buffer: Buffer.from("Plain words, café.") },
  pdf: { name: "report.pdf", mimeType: "application/pdf", buffer: PDF },
};

const chipNames = (page: Page, selector: string) =>
  page.$$eval(`${selector} .document-chip .document-name`, (names) => names.map((name) => name.textContent));

test("every kind attached by picking, pasting and dropping is sent, shown, and opens as text after a reload", async () => {
  const { page, context, violations, errors, dialogs } = await openWatched();
  await page.focus("#prompt");
  await page.keyboard.press("Shift+Tab");
  expect(await page.getAttribute("#attach", "aria-label")).toBe("Attach files");
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.keyboard.press("Enter")]);
  await chooser.setFiles([FILES.pdf, FILES.markdown, FILES.source, FILES.json, FILES.text]);
  await pasteOrDrop(page, "paste", { name: "prices.csv", type: "text/csv", text: "item,price\r\ntea,3\r\n" });
  await pasteOrDrop(page, "drop", {
    name: "<img src=x onerror=alert(1)>.log",
    text: "\x1b[31mERROR\x1b[0m disk full\n",
  });
  await page.waitForFunction(() => document.querySelectorAll("#attachments .document-chip").length === 7);
  const names = ["report.pdf", "notes.md", "main.py", "config.json", "readme.txt", "prices.csv"];
  expect(await chipNames(page, "#attachments")).toEqual([...names, "<img src=x onerror=alert(1)>.log"]);
  await send(page, "/echo Read:");
  const answer = await finishedAnswer(page);
  expect(answer.status).toBe("complete");
  // The simulator echoes what the model was sent: the words, then each document's text.
  for (const text of ["Quarterly revenue grew by nine percent.", "Ship on Friday.", "tea,3", "disk full"])
    expect(answer.text).toContain(text);
  expect(await page.locator("#attachments .document-chip").count()).toBe(0);
  expect(await chipNames(page, "#thread .message.user")).toHaveLength(7);
  await page.reload();
  await page.waitForSelector("#thread .message.user a.document-chip");
  expect(await chipNames(page, "#thread .message.user")).toEqual([...names, "<img src=x onerror=alert(1)>.log"]);
  const first = page.locator("#thread .message.user a.document-chip").first();
  expect(await first.getAttribute("href")).toStartWith(`/api/conversations/${conversationIdOf(page)}/documents/`);
  expect(await first.locator(".document-detail").textContent()).toMatch(/^PDF · 1 p\. · \d+ B$/);
  // Opened by a click: a navigation (Sec-Fetch-Dest: document), the PDF's text as plain text.
  const [opened] = await Promise.all([context.waitForEvent("page"), first.click()]);
  await opened.waitForLoadState();
  expect((await opened.textContent("body"))?.trim()).toBe("Quarterly revenue grew by nine percent.");
  expect({ violations, errors, dialogs }).toEqual({ violations: [], errors: [], dialogs: [] });
  await context.close();
}, 90_000);

test("at phone width: a binary file is refused on the page, a mislabelled PDF taken, a cut document noticed", async () => {
  const { page, context, violations } = await openWatched(phone);
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.click("#attach")]);
  const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]);
  const long = "abcdefghij".repeat(2_000);
  await chooser.setFiles([
    { name: "archive.zip", mimeType: "application/zip", buffer: zip },
    { name: "scan.txt", mimeType: "text/plain", buffer: PDF },
    { name: "long.txt", mimeType: "text/plain", buffer: Buffer.from(long) },
  ]);
  await page.waitForFunction(() => document.querySelector("#status-line")?.textContent?.includes("archive.zip"));
  expect(await page.textContent("#status-line")).toContain(
    "Not attached: “archive.zip” (neither a PDF nor a text file).",
  );
  await page.waitForFunction(() => document.querySelectorAll("#attachments .document-chip").length === 2);
  for (const chip of await page.locator("#attachments .attachment").all()) {
    const box = await chip.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= phone.width).toBe(true);
  }
  await page.click("#send");
  expect((await finishedAnswer(page)).status).toBe("complete");
  // 8,192 tokens at 50%: 16,384 characters for the documents; the PDF's text is short, long.txt gets the rest.
  await page.waitForFunction(() => document.querySelector("#status-line")?.textContent?.includes("long.txt"));
  expect(await page.textContent("#status-line")).toMatch(/Only the first 16,3\d\d of 20,000 characters of long\.txt/);
  const id = conversationIdOf(page);
  const stored = await page.evaluate(
    async (id) => (await (await fetch(`/api/conversations/${id}`)).json()).messages,
    id,
  );
  expect(stored[0].documents.map((d: { name: string; media_type: string }) => [d.name, d.media_type])).toEqual([
    ["scan.txt", "application/pdf"],
    ["long.txt", "text/plain"],
  ]);
  expect(violations).toEqual([]);
  await context.close();
}, 90_000);
