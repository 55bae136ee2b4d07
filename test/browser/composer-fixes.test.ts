/**
 * The message box as a user leans on it, at desktop and phone width: each conversation keeps its
 * own draft, across reloads; a question refused (offline, or over a limit) goes back into the box
 * with the reason and its code, and leaves no empty conversation behind; every refused file is
 * named; a file dropped anywhere on the page is attached, never opened in place of the chat.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { waitUntil } from "../../harness/client/poll.ts";
import { type ChatSetup, finishedAnswer, openChat, send, startChatSetup, widths } from "./chat-page.ts";
import { PNG_1 } from "./test-images.ts";

let setup: ChatSetup;

beforeAll(async () => {
  // Small caps, so that a question and an image are easily over them.
  setup = await startChatSetup({
    SIM_TOKENS_PER_SECOND: "2000",
    SIM_TTFT_MS: "20",
    MAX_BODY_BYTES: "4096",
    IMAGE_MAX_BYTES: "2000",
  });
}, 90_000);

afterAll(async () => {
  await setup?.stop();
}, 60_000);

async function storedIds(): Promise<string[]> {
  const page = (await (await fetch(`${setup.url}/api/conversations?limit=100`)).json()) as {
    conversations: { id: string }[];
  };
  return page.conversations.map((conversation) => conversation.id);
}

async function ask(page: Page, question: string): Promise<void> {
  await send(page, question);
  expect((await finishedAnswer(page)).status).toBe("complete");
}

/** Opens conversation `id` from the list (in the drawer on a phone). */
async function openFromList(page: Page, id: string): Promise<void> {
  if (await page.isVisible("#menu")) await page.click("#menu");
  await page.click(`#conversation-list a[data-id="${id}"]`);
  await page.waitForFunction((id) => location.hash === `#/c/${id}`, id);
  // The hash changes before its event runs the page's open(): wait for the list to mark it open.
  await page.waitForSelector(`#conversation-list a[data-id="${id}"][aria-current="page"]`, { state: "attached" });
}

const box = (page: Page) => page.inputValue("#prompt");

for (const [name, viewport] of widths) {
  test(`${name}: each conversation keeps its own draft, across a reload; sending clears it`, async () => {
    const { page, context } = await openChat(setup.browser, setup.url, { viewport });
    await ask(page, "/sim tokens=3\nFirst topic");
    const first = decodeURIComponent(page.url().split("#/c/")[1] ?? "");
    await page.click(name === "phone" ? "#menu" : "#new-chat");
    if (name === "phone") await page.click("#new-chat");
    await ask(page, "/sim tokens=3\nSecond topic");
    const second = decodeURIComponent(page.url().split("#/c/")[1] ?? "");
    await page.fill("#prompt", "half a thought about the second");
    await openFromList(page, first);
    expect(await box(page)).toBe("");
    await page.fill("#prompt", "half a thought about the first");
    await page.reload();
    await page.waitForSelector("#thread .message.assistant[data-status]");
    expect(await box(page)).toBe("half a thought about the first");
    await openFromList(page, second);
    expect(await box(page)).toBe("half a thought about the second");
    // Sending it clears the draft: a reload finds the box empty.
    await page.fill("#prompt", "/sim tokens=2\nsent now");
    await page.press("#prompt", "Enter");
    await finishedAnswer(page);
    await page.reload();
    await page.waitForSelector("#thread .message.assistant[data-status]");
    expect(await box(page)).toBe("");
    await context.close();
  }, 90_000);

  test(`${name}: a question refused offline stays in the box, says why, and leaves no conversation`, async () => {
    const { page, context } = await openChat(setup.browser, setup.url, { viewport });
    const before = await storedIds();
    setup.proxy.cut();
    try {
      await page.fill("#prompt", "Hello while offline");
      await page.press("#prompt", "Enter");
      await page.waitForSelector("#status-line.warning:not([hidden])", { timeout: 15_000 });
    } finally {
      setup.proxy.restore();
    }
    expect(await box(page)).toBe("Hello while offline");
    expect(await page.textContent("#status-line")).toMatch(
      /^Not sent\. This device cannot reach Sluice.*\(network_error\)$/,
    );
    expect(await page.locator("#thread .message").count()).toBe(0);
    expect(await page.isVisible("#welcome")).toBe(true);
    expect(page.url()).not.toContain("#/c/");
    expect(await storedIds()).toEqual(before);
    // Sent again once back online: it goes, and the warning goes.
    await page.fill("#prompt", "/sim tokens=2\nHello again");
    await page.press("#prompt", "Enter");
    expect((await finishedAnswer(page)).status).toBe("complete");
    expect(await page.isHidden("#status-line.warning")).toBe(true);
    await context.close();
  }, 60_000);

  test(`${name}: a question over the size limit stays in the box; the conversation made for it goes`, async () => {
    const { page, context } = await openChat(setup.browser, setup.url, { viewport });
    const before = await storedIds();
    const tooLong = `/sim tokens=2\n${"a long pasted line\n".repeat(400)}`;
    await page.fill("#prompt", tooLong);
    await page.press("#prompt", "Enter");
    await page.waitForSelector("#status-line.warning:not([hidden])", { timeout: 15_000 });
    expect(await page.textContent("#status-line")).toContain("too large to send. (body_too_large)");
    expect(await box(page)).toBe(tooLong.trim());
    expect(page.url()).not.toContain("#/c/");
    // The conversation created for it is deleted again.
    await waitUntil("the conversation made for it to be deleted", storedIds, (ids) => ids.length === before.length);
    // In a conversation with turns: the thread is as it was.
    await page.fill("#prompt", "/sim tokens=2\nA short one");
    await page.press("#prompt", "Enter");
    await finishedAnswer(page);
    await page.fill("#prompt", tooLong);
    await page.press("#prompt", "Enter");
    await page.waitForSelector("#status-line.warning:not([hidden])", { timeout: 15_000 });
    expect(await page.locator("#thread .message").count()).toBe(2);
    expect(await box(page)).toBe(tooLong.trim());
    expect(page.url()).toContain("#/c/");
    await context.close();
  }, 60_000);

  test(`${name}: every refused file is named, with why`, async () => {
    const { page, context } = await openChat(setup.browser, setup.url, { viewport });
    page.on("filechooser", () => {});
    const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.click("#attach")]);
    await chooser.setFiles([
      // Text is a document: taken.
      { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") },
      { name: "ok.png", mimeType: "image/png", buffer: PNG_1 },
      // Neither an image nor a document (PDF or text), by their bytes.
      { name: "archive.zip", mimeType: "application/zip", buffer: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0]) },
      { name: "report.pdf", mimeType: "application/pdf", buffer: Buffer.from([0x00, 0x01, 0x02]) },
      { name: "huge.png", mimeType: "image/png", buffer: Buffer.concat([PNG_1, Buffer.alloc(3_000)]) },
    ]);
    await page.waitForFunction(() => document.querySelector("#status-line")?.textContent?.includes("Not attached"));
    const notice = (await page.textContent("#status-line")) ?? "";
    for (const refused of ["“archive.zip”", "“report.pdf”", "“huge.png”"]) expect(notice).toContain(refused);
    expect(notice).toContain("neither a PDF nor a text file");
    expect(notice).toContain("larger than");
    expect(notice).not.toContain("ok.png");
    expect(notice).not.toContain("notes.txt");
    expect(await page.locator("#attachments img").count()).toBe(1);
    expect(await page.locator("#attachments .document-chip").count()).toBe(1);
    await context.close();
  });

  test(`${name}: a file dropped anywhere is attached, never opened in place of the chat`, async () => {
    const { page, context } = await openChat(setup.browser, setup.url, { viewport });
    const url = page.url();
    const outcome = await page.evaluate(
      async (bytes) => {
        const files = new DataTransfer();
        files.items.add(new File([new Uint8Array(bytes)], "dropped.png", { type: "image/png" }));
        const target = document.querySelector("#messages") as HTMLElement;
        const over = new DragEvent("dragover", { dataTransfer: files, bubbles: true, cancelable: true });
        target.dispatchEvent(over);
        const drop = new DragEvent("drop", { dataTransfer: files, bubbles: true, cancelable: true });
        target.dispatchEvent(drop);
        // The negative control: a drop of text, not files, is left to the browser.
        const text = new DataTransfer();
        text.setData("text/plain", "just text");
        const textDrop = new DragEvent("drop", { dataTransfer: text, bubbles: true, cancelable: true });
        target.dispatchEvent(textDrop);
        return { over: over.defaultPrevented, drop: drop.defaultPrevented, text: textDrop.defaultPrevented };
      },
      [...PNG_1],
    );
    // Prevented: the browser's own default, opening the file in the tab, does not happen.
    expect(outcome).toEqual({ over: true, drop: true, text: false });
    await page.waitForFunction(() => document.querySelectorAll("#attachments img").length === 1);
    expect(page.url()).toBe(url);
    await context.close();
  });
}

/** Holds the requests `matches` picks until the returned release is called. */
async function hold(page: Page, matches: (url: URL, method: string) => boolean): Promise<() => void> {
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(
    (url) => url.origin === new URL(setup.url).origin,
    async (route) => {
      const request = route.request();
      if (matches(new URL(request.url()), request.method())) await released;
      await route.continue();
    },
  );
  return release;
}

test("a question sent while its conversation is still being read goes after it, not back in the box", async () => {
  const { page, context } = await openChat(setup.browser, setup.url);
  await ask(page, "/sim tokens=3\nAn earlier question");
  const id = decodeURIComponent(page.url().split("#/c/")[1] ?? "");
  await page.click("#new-chat");
  const release = await hold(page, (url, method) => method === "GET" && url.pathname === `/api/conversations/${id}`);
  await page.click(`#conversation-list a[data-id="${id}"]`);
  await page.waitForSelector(`#conversation-list a[data-id="${id}"][aria-current="page"]`, { state: "attached" });
  await send(page, "/sim tokens=2\nTyped before it showed");
  await Bun.sleep(300);
  release();
  expect((await finishedAnswer(page)).status).toBe("complete");
  expect(await box(page)).toBe("");
  expect(await page.locator("#thread .message").count()).toBe(4);
  const stored = (await (await fetch(`${setup.url}/api/conversations/${id}`)).json()) as {
    messages: { content: unknown }[];
  };
  expect(stored.messages).toHaveLength(4);
  await context.close();
});

test("files picked before the server's caps are known are judged by those caps", async () => {
  const context = await setup.browser.newContext();
  const page = await context.newPage();
  const release = await hold(page, (url) => url.pathname === "/api/chat-settings");
  await page.goto(setup.url);
  await page.waitForSelector("#prompt");
  const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.click("#attach")]);
  // A text file is a document, taken only when the server's caps say documents are on.
  await chooser.setFiles([{ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hello") }]);
  await Bun.sleep(300);
  release();
  await page.waitForSelector("#attachments .document-chip");
  expect(await page.textContent("#status-line")).not.toContain("Not attached");
  await context.close();
});
