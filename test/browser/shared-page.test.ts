/**
 * Share links in Chromium, through nginx: the owner makes one from the title bar's Share dialog
 * and sees what the conversation cost; signed out (SHARE=public), the link's page shows the
 * snapshot, marked noindex, under the CSP, and asks the server for nothing but the snapshot and
 * its files; a signed-in viewer copies it into their own chats; a revoked link says so. The
 * request watcher that finds nothing else on the shared page finds the chat page's own API calls
 * (its negative control).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { callJson } from "../../harness/client/api.ts";
import { askAfter, createConversation } from "../../harness/client/conversations.ts";
import { waitFor } from "../../harness/client/poll.ts";
import { type ChatSetup, startChatSetup } from "./chat-page.ts";

const ALICE = "alice-shared-page-token1";
const BOB = "bob-shared-page-token002";
let setup: ChatSetup;
let conversationId = "";

beforeAll(async () => {
  setup = await startChatSetup({
    SHARE: "public",
    AUTH: "token",
    AUTH_TOKENS: `alice:${ALICE},bob:${BOB}`,
    SIM_TOKENS_PER_SECOND: "400",
  });
  conversationId = await createConversation(setup.url, { token: ALICE });
  await askAfter(setup.url, conversationId, "/echo **Bold words** and `code`", null, { token: ALICE });
}, 90_000);

afterAll(async () => {
  await setup?.stop();
}, 60_000);

interface Answered {
  path: string;
  status: number;
}

/**
 * A page in a fresh context, signed in as `token`'s user when given, recording every request's
 * path and every response from the start: a response that came before `goto` returned is kept.
 */
async function openAs(
  token: string | undefined,
  path: string,
): Promise<{ page: Page; asked: string[]; answered: Answered[] }> {
  const context = await setup.browser.newContext();
  const page = await context.newPage();
  const asked: string[] = [];
  const answered: Answered[] = [];
  page.on("request", (request) => asked.push(new URL(request.url()).pathname));
  page.on("response", (response) =>
    answered.push({ path: new URL(response.url()).pathname, status: response.status() }),
  );
  if (token) {
    await page.goto(`${setup.url}/login#token=${token}`);
    await page.waitForURL(`${setup.url}/`);
  }
  asked.length = 0;
  answered.length = 0;
  await page.goto(`${setup.url}${path}`);
  return { page, asked, answered };
}

async function makeLink(): Promise<string> {
  const { page } = await openAs(ALICE, `/#/c/${conversationId}`);
  await page.waitForSelector("#conversation-usage:not([hidden])");
  expect(await page.textContent("#conversation-usage")).toMatch(/^\d+ tokens$/);
  await page.click("#share");
  await page.click("#share-dialog >> text=Create a link");
  await page.waitForSelector("#share-dialog .share-item");
  const url = await page.inputValue("#share-dialog .share-url");
  await page.context().close();
  return new URL(url).pathname;
}

test("signed out, the link's page shows the snapshot and reaches nothing else", async () => {
  const link = await makeLink();
  const { page, asked, answered } = await openAs(undefined, link);
  const snapshot = await waitFor(
    "the snapshot's response",
    () => answered.find((response) => response.path.startsWith("/api/shared/")),
    30_000,
  );
  expect(snapshot.status).toBe(200);
  await page.waitForSelector("#thread .message.assistant .content strong");
  expect(await page.textContent("#thread .message.assistant .content strong")).toBe("Bold words");
  expect(await page.isHidden("#shared-actions")).toBe(true);
  expect(await page.getAttribute('meta[name="robots"]', "content")).toBe("noindex, nofollow");
  const document = await page.context().request.get(`${setup.url}${link}`);
  expect(document.headers()["x-robots-tag"]).toBe("noindex, nofollow");
  expect(document.headers()["content-security-policy"]).toContain("default-src 'none'");
  const id = link.slice("/s/".length);
  const expected = (path: string) =>
    path === link || path.startsWith("/assets/") || path === "/favicon.svg" || path.startsWith(`/api/shared/${id}`);
  expect(asked.filter((path) => !expected(path))).toEqual([]);
  await page.context().close();

  // The negative control: the same watcher on the chat page sees its calls to the API.
  const chat = await openAs(ALICE, `/#/c/${conversationId}`);
  await chat.page.waitForSelector("#thread .message.assistant");
  expect(chat.asked.filter((path) => !expected(path))).toContain(`/api/conversations/${conversationId}`);
  await chat.page.context().close();
}, 60_000);

test("a signed-in viewer continues it in their own chats", async () => {
  const link = await makeLink();
  const { page } = await openAs(BOB, link);
  await page.waitForSelector("#shared-actions:not([hidden])");
  await page.click("#copy-to-mine");
  await page.waitForURL(/\/#\/c\//);
  await page.waitForSelector("#thread .message.assistant .content strong");
  const copyId = decodeURIComponent(page.url().split("#/c/")[1] ?? "");
  expect(copyId).not.toBe(conversationId);
  const mine = await callJson(setup.url, "GET", `/api/conversations/${copyId}`, undefined, { token: BOB });
  expect(mine.json.messages).toHaveLength(2);
  await page.context().close();
}, 60_000);

test("a revoked link's page says it is gone", async () => {
  const link = await makeLink();
  const id = link.slice("/s/".length);
  expect((await callJson(setup.url, "DELETE", `/api/shares/${id}`, undefined, { token: ALICE })).status).toBe(204);
  const { page } = await openAs(undefined, link);
  await page.waitForFunction(() => document.querySelector("#shared-status")?.textContent?.includes("revoked"));
  expect(await page.locator("#thread .message").count()).toBe(0);
  await page.context().close();
}, 60_000);
