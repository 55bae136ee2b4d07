/**
 * A minimal `useChat` app (use-chat-app/app.ts, bundled here by Bun's bundler with React and
 * @ai-sdk/react) on its own origin, with Sluice behind the shipped nginx as its backend (CORS
 * allows that origin). Reloaded in the middle of an answer, the app loads the chat's messages and
 * `resume: true` picks the running answer up again from its start: the whole answer, one model call.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { callJson } from "../../harness/client/api.ts";
import { waitUntil } from "../../harness/client/poll.ts";
import { fetchSimStats } from "../../harness/client/sim-stats.ts";
import { type Stack, startStack } from "../../harness/stack/start-stack.ts";
import { launchBrowser } from "./chat-page.ts";

interface StoredUiMessage {
  role: string;
  parts: { text: string }[];
}

let stack: Stack;
let app: ReturnType<typeof Bun.serve>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;

/** Bundles the app for the browser: one ES module, React's production build. */
async function bundle(): Promise<string> {
  const built = await Bun.build({
    entrypoints: [new URL("./use-chat-app/app.ts", import.meta.url).pathname],
    target: "browser",
    format: "esm",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  if (!built.success) throw new AggregateError(built.logs, "the useChat app did not build");
  return (await built.outputs[0]?.text()) ?? "";
}

beforeAll(async () => {
  const script = await bundle();
  const page =
    '<!doctype html><meta charset="utf-8"><title>useChat</title><div id="root"></div><script type="module" src="/app.js"></script>';
  app = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) =>
      new URL(request.url).pathname === "/app.js"
        ? new Response(script, { headers: { "content-type": "text/javascript" } })
        : new Response(page, { headers: { "content-type": "text/html" } }),
  });
  stack = await startStack({
    env: { SIM_TTFT_MS: "100", SIM_TOKENS_PER_SECOND: "40", CORS_ORIGINS: `http://127.0.0.1:${app.port}` },
  });
  browser = await launchBrowser();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  app?.stop(true);
}, 30_000);

const answerText = async (page: Page) => (await page.locator("p.assistant").last().textContent()) ?? "";

/** Opens the app on a new chat (`resume=off`: without the SDK's resume), asks a long question, reloads mid-answer. */
async function reloadMidAnswer(resume: boolean) {
  const chat = `browser-${crypto.randomUUID()}`;
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const api = encodeURIComponent(`${stack.url}/api/chat`);
  await page.goto(`http://127.0.0.1:${app.port}/?api=${api}&chat=${chat}${resume ? "" : "&resume=off"}`);
  const started = (await fetchSimStats(stack.simulatorUrl as string)).started;
  await page.getByLabel("Message").fill("/sim tps=20 tokens=120\nTell me a long story");
  await page.getByRole("button", { name: "Send" }).click();
  await page.waitForFunction(() => (document.querySelector("p.assistant")?.textContent?.length ?? 0) > 40);
  const before = await answerText(page);
  await page.reload();
  // The question comes back from Sluice; the answer from the running stream's start, if resumed.
  await page.locator("p.user").first().waitFor();
  await page.waitForFunction(() => document.querySelector("output")?.textContent === "ready", undefined, {
    timeout: 20_000,
    polling: 100,
  });
  const stored = await waitUntil(
    "the answer to be stored",
    async () => (await callJson(stack.url, "GET", `/api/chat/${chat}/messages`)).json.messages as StoredUiMessage[],
    (messages) => messages.length === 2,
    20_000,
  );
  const after = (await page.locator("p.assistant").count()) > 0 ? await answerText(page) : "";
  const calls = (await fetchSimStats(stack.simulatorUrl as string)).started - started;
  await context.close();
  return { before, after, stored: stored[1]?.parts[0]?.text ?? "", calls, errors };
}

test("a reload in the middle of an answer resumes it from its start: the whole answer, one model call", async () => {
  const { before, after, stored, calls, errors } = await reloadMidAnswer(true);
  expect(after).toBe(stored);
  expect(after.startsWith(before.slice(0, 40))).toBe(true);
  expect(after.length).toBeGreaterThan(before.length);
  expect(calls).toBe(1);
  expect(errors).toEqual([]);
}, 60_000);

test("negative control: the same app without the SDK's resume loses the answer on reload", async () => {
  const { after, stored } = await reloadMidAnswer(false);
  console.log(`without resume: ${after.length} of the answer's ${stored.length} characters shown after the reload`);
  expect(after).not.toBe(stored);
}, 60_000);
