/**
 * The browser tests' setup and vocabulary: the native stack (simulator, app, nginx) behind a
 * relay that can cut the network, headless Chromium, and the page's parts by what a user sees.
 */
import { afterAll, beforeAll } from "bun:test";
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../../harness/stack/chromium.ts";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";
import { type CutProxy, startCutProxy } from "./cut-proxy.ts";

export const resultsDir = new URL("../../test-results/", import.meta.url).pathname;

/** Launches Debian's Chromium headless, quiet (no background traffic, no GPU). */
export const launchBrowser = launchChromium;

export interface ChatSetup {
  stack: Stack;
  proxy: CutProxy;
  browser: Browser;
  /** The page's origin, through the relay and nginx. */
  url: string;
  stop(): Promise<void>;
}

/** The stack (with `env` for the app and simulator), the relay in front of nginx, and a browser. */
export async function startChatSetup(env: Record<string, string> = {}): Promise<ChatSetup> {
  mkdirSync(resultsDir, { recursive: true });
  const stack = await startStack({ env: { SIM_TTFT_MS: "100", SIM_TOKENS_PER_SECOND: "40", ...env } });
  const proxy = await startCutProxy(stack.url);
  const browser = await launchBrowser().catch(async (error) => {
    await Promise.all([proxy.close(), stack.stop()]);
    throw error;
  });
  return {
    stack,
    proxy,
    browser,
    url: proxy.url,
    async stop() {
      await browser.close();
      await proxy.close();
      await stack.stop();
    },
  };
}

/**
 * One setup (`env` for the app and simulator) for a test file: started before its tests, stopped
 * after them, and `prepare`d (seeded) once started. The returned function gives the setup.
 */
export function useChatSetup(
  env: Record<string, string> = {},
  prepare: (setup: ChatSetup) => Promise<void> = async () => {},
): () => ChatSetup {
  let setup: ChatSetup | undefined;
  beforeAll(async () => {
    setup = await startChatSetup(env);
    await prepare(setup);
  }, 180_000);
  afterAll(async () => {
    await setup?.stop();
  }, 60_000);
  return () => {
    if (!setup) throw new Error("the chat setup has not started");
    return setup;
  };
}

export interface ChatPage {
  context: BrowserContext;
  page: Page;
  /** Messages of any alert/confirm/prompt the page opened (an XSS payload that ran). */
  dialogs: string[];
  /** Uncaught exceptions in the page. */
  errors: string[];
}

export interface PageOptions {
  colorScheme?: "light" | "dark";
  viewport?: { width: number; height: number };
}

/** A fresh context (no cookies, no cache) with the page open at `url`. */
export async function openChat(browser: Browser, url: string, options: PageOptions = {}): Promise<ChatPage> {
  const context = await browser.newContext({
    colorScheme: options.colorScheme ?? "light",
    viewport: options.viewport ?? { width: 1280, height: 800 },
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(url);
  await page.waitForSelector("#prompt");
  return { context, page, dialogs, errors };
}

/** Types `text` in the message box and presses Enter, as a user does. */
export async function send(page: Page, text: string): Promise<void> {
  await page.fill("#prompt", text);
  await page.press("#prompt", "Enter");
}

/** The newest answer on the page. */
export const lastAnswer = "#thread .message.assistant:last-child";

/** Waits (bounded) until the last answer has ended; returns how, and its text. */
export async function finishedAnswer(page: Page, timeout = 30_000): Promise<{ status: string; text: string }> {
  await page.waitForSelector(`${lastAnswer}[data-status]`, { timeout });
  return {
    status: (await page.getAttribute(lastAnswer, "data-status")) ?? "",
    text: (await page.textContent(`${lastAnswer} .content`))?.trim() ?? "",
  };
}

/** Waits until the last answer has ended and its stored copy is known (its id on the page); returns it. */
export async function storedLastAnswer(page: Page): Promise<{ status: string; text: string; id: string }> {
  const answer = await finishedAnswer(page);
  await page.waitForSelector(`${lastAnswer}[data-message-id]`, { timeout: 10_000 });
  return { ...answer, id: (await page.getAttribute(lastAnswer, "data-message-id")) ?? "" };
}

/** The text of the answer being written (empty before it starts). */
export async function liveText(page: Page): Promise<string> {
  return (await page.textContent(`${lastAnswer} .content`).catch(() => ""))?.trim() ?? "";
}

/** Waits (bounded) until the answer being written shows at least `length` characters. */
export async function waitForLiveText(page: Page, length: number, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    ([selector, min]) => (document.querySelector(`${selector} .content`)?.textContent?.trim().length ?? 0) >= min,
    [`${lastAnswer}.live`, length] as const,
    { timeout },
  );
}

/** The conversation id in the page's address. */
export function conversationIdOf(page: Page): string {
  const match = /#\/c\/([^/]+)$/.exec(page.url());
  if (!match?.[1]) throw new Error(`no conversation in ${page.url()}`);
  return decodeURIComponent(match[1]);
}

/** A plain sentence the simulator's /echo sends back verbatim, a few characters per token. */
export function echoText(words: number): string {
  const vocabulary = ["amber", "river", "quiet", "lantern", "harbor", "meadow", "copper", "window", "falcon", "cedar"];
  return Array.from({ length: words }, (_, i) => `${vocabulary[(i * 7) % vocabulary.length]}${i}`).join(" ");
}

export const desktop = { width: 1280, height: 800 };
export const phone = { width: 390, height: 844 };

/** The two widths every page fix is tested at, with their names. */
export const widths = [
  ["desktop", desktop],
  ["phone", phone],
] as const;

/** Asks `questions` in a new conversation on `setup`, each answered in full; returns the conversation's address. */
export async function seededConversation(setup: ChatSetup, questions: string[]): Promise<string> {
  const { page, context } = await openChat(setup.browser, setup.url);
  for (const question of questions) {
    await send(page, question);
    const { status } = await finishedAnswer(page, 90_000);
    if (status !== "complete") throw new Error(`the answer to "${question.slice(0, 40)}" ended ${status}`);
  }
  const address = page.url();
  await context.close();
  return address;
}

/** Opens the chat and records every CSP violation the page reports (event and console). */
export async function openWatched(setup: ChatSetup, viewport?: { width: number; height: number }) {
  const chat = await openChat(setup.browser, setup.url, viewport ? { viewport } : {});
  const violations: string[] = [];
  // Interception of the file dialog is switched on by the first listener, asynchronously: on
  // from the start, so a waitForEvent just before a click never races it.
  chat.page.on("filechooser", () => {});
  chat.page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await chat.page.exposeFunction("reportViolation", (text: string) => violations.push(text));
  await chat.page.evaluate(() =>
    document.addEventListener("securitypolicyviolation", (event) =>
      (window as unknown as { reportViolation(text: string): void }).reportViolation(
        `${event.violatedDirective} ${event.blockedURI}`,
      ),
    ),
  );
  return { ...chat, violations };
}

/** A file to paste or drop: its name, its type as the browser reports it, and its bytes (base64) or text. */
export interface DroppedFile {
  name: string;
  type?: string;
  base64?: string;
  text?: string;
}

/** Pastes (a ClipboardEvent on the message box) or drops (a DragEvent on the composer) `file` on the page. */
export async function pasteOrDrop(page: Page, how: "paste" | "drop", file: DroppedFile): Promise<void> {
  await page.evaluate(
    ({ how, file }) => {
      const bytes =
        file.base64 === undefined ? (file.text ?? "") : Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], file.name, { type: file.type ?? "" }));
      const init = { bubbles: true, cancelable: true };
      if (how === "paste")
        document.getElementById("prompt")?.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, ...init }));
      else {
        const composer = document.getElementById("composer");
        composer?.dispatchEvent(new DragEvent("dragover", { dataTransfer: data, ...init }));
        composer?.dispatchEvent(new DragEvent("drop", { dataTransfer: data, ...init }));
      }
    },
    { how, file },
  );
}
