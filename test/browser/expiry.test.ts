/**
 * The paths where the stream cannot simply be resumed: it is gone when the browser comes back
 * (the page reloads the conversation from the server instead), and the model fails (the page
 * shows the error's message, and Retry asks again in place of the failed answer).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import {
  type ChatSetup,
  conversationIdOf,
  echoText,
  finishedAnswer,
  openChat,
  send,
  startChatSetup,
  waitForLiveText,
} from "./chat-page.ts";

let setup: ChatSetup;

beforeAll(async () => {
  // No grace and a short retention: an answer that ends while the network is cut is soon forgotten
  // as a stream (a conversation's answer still runs to its end: it is stored, not cancelled).
  setup = await startChatSetup({ CANCEL_GRACE_MS: "0", STREAM_RETENTION_MS: "200", RETRY_MS: "1500" });
}, 90_000);

afterAll(async () => {
  await setup?.stop();
}, 60_000);

test("an answer that finished while the network was cut: the page shows the whole stored answer", async () => {
  const { page, context, errors } = await openChat(setup.browser, setup.url);
  await send(page, `/sim tps=20\n/echo ${echoText(30)}`);
  await waitForLiveText(page, 10);
  setup.proxy.cut();
  await page.waitForSelector('#thread .message.assistant[data-state="reconnecting"]', { timeout: 10_000 });
  // Long enough for the rest of the answer (~2 s at 20 tokens/s) and its retention to pass.
  await Bun.sleep(3_000);
  setup.proxy.restore();
  // The reconnect gets 404; the page shows what the server stored: the whole answer, complete.
  const answer = await finishedAnswer(page);
  expect(answer.status).toBe("complete");
  const stored = await (await fetch(`${setup.url}/api/conversations/${conversationIdOf(page)}`)).json();
  expect(stored.running_stream_id).toBeNull();
  expect(stored.messages.at(-1)).toMatchObject({ role: "assistant", status: "complete" });
  expect(answer.text).toBe(stored.messages.at(-1).content.trim());
  expect(errors).toEqual([]);
  await context.close();
}, 60_000);

test("a failed answer shows the error's message and code; Retry asks again in its place", async () => {
  const { page, context } = await openChat(setup.browser, setup.url);
  await send(page, "/sim fault=status:503\nThis will fail");
  expect((await finishedAnswer(page)).status).toBe("error");
  const problem = page.locator("#thread .message.assistant .problem");
  // The stable code, and a generic message: the provider's own words stay in the server log.
  expect(await problem.textContent()).toContain("upstream_unavailable");
  expect(await problem.locator("code").textContent()).toMatch(/^[a-z_]+$/);
  await problem.locator("button", { hasText: "Retry" }).click();
  await page.waitForSelector("#thread .message.assistant.live", { state: "detached", timeout: 10_000 });
  expect((await finishedAnswer(page)).status).toBe("error");
  // Still one question and one (failed) answer, on the page and on the server.
  expect(await page.locator("#thread .message").count()).toBe(2);
  const stored = await (await fetch(`${setup.url}/api/conversations/${conversationIdOf(page)}`)).json();
  expect(stored.messages.map((m: { role: string; status: string }) => `${m.role}:${m.status}`)).toEqual([
    "user:complete",
    "assistant:error",
  ]);
  await context.close();
}, 60_000);
