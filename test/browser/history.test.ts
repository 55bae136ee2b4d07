/**
 * History lives on the server: the page sends only its new question and the last message it saw,
 * so two devices on one conversation never send the model different histories (the stale one is
 * told, calmly, and shown the conversation as it is), and a conversation with more history than
 * any request may carry still answers.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Page } from "playwright-core";
import { callJson } from "../../harness/client/api.ts";
import { createConversation, readConversation } from "../../harness/client/conversations.ts";
import { waitFor } from "../../harness/client/poll.ts";
import { type ChatSetup, conversationIdOf, finishedAnswer, openChat, send, startChatSetup } from "./chat-page.ts";

let setup: ChatSetup;

beforeAll(async () => {
  setup = await startChatSetup({ SIM_TOKENS_PER_SECOND: "400", SIM_TTFT_MS: "20", MAX_CONTEXT_TOKENS: "50000" });
}, 90_000);

afterAll(async () => {
  await setup?.stop();
}, 60_000);

/** Every body the page POSTs to /api/chat. */
function chatBodies(page: Page): Record<string, unknown>[] {
  const bodies: Record<string, unknown>[] = [];
  page.on("request", (request) => {
    if (request.method() === "POST" && new URL(request.url()).pathname === "/api/chat")
      bodies.push(JSON.parse(request.postData() ?? "{}"));
  });
  return bodies;
}

async function storedThread(id: string): Promise<string[]> {
  const stored = await readConversation(setup.url, id);
  return stored.messages.map((m) => `${m.role}:${m.content.split("\n").at(-1)}`);
}

test("two devices on one conversation: the stale one is refused and refreshed, never mixed", async () => {
  const desktop = await openChat(setup.browser, setup.url);
  const sent = chatBodies(desktop.page);
  await send(desktop.page, "/sim tokens=3\nQ1");
  await finishedAnswer(desktop.page);
  const id = conversationIdOf(desktop.page);
  const phone = await openChat(setup.browser, `${setup.url}/#/c/${id}`, { viewport: { width: 390, height: 844 } });
  await phone.page.waitForSelector("#thread .message.assistant");
  await send(desktop.page, "/sim tokens=3\nQ2");
  await waitFor("4 stored messages", async () => ((await storedThread(id)).length === 4 ? true : undefined));
  // The phone has not seen Q2/A2.
  await send(phone.page, "/sim tokens=3\nQ3");
  await phone.page.waitForSelector("#thread .message.user >> text=Q2", { timeout: 10_000 });
  expect(await phone.page.inputValue("#prompt")).toContain("Q3");
  expect((await storedThread(id)).filter((m) => m.startsWith("user:"))).toEqual(["user:Q1", "user:Q2"]);
  // Sent again, now from an up-to-date view, it continues the thread in order.
  await phone.page.press("#prompt", "Enter");
  await finishedAnswer(phone.page);
  expect((await storedThread(id)).filter((m) => m.startsWith("user:"))).toEqual(["user:Q1", "user:Q2", "user:Q3"]);
  // The page sends its new question only, never a history of its own.
  for (const body of sent) expect(Object.keys(body)).not.toContain("messages");
  expect(phone.errors).toEqual([]);
  await Promise.all([desktop.context.close(), phone.context.close()]);
}, 90_000);

test("a conversation with more than 1 MB of history still answers from the page", async () => {
  const created = { id: await createConversation(setup.url) };
  for (let i = 0; i < 12; i++) {
    const content = `/sim tokens=1\n${"a long paste ".repeat(8_000)}`;
    await callJson(setup.url, "POST", "/api/chat", { conversationId: created.id, content });
    await waitFor("the long answer to be stored", async () => {
      const stored = await readConversation(setup.url, created.id);
      return stored.running_stream_id === null && stored.messages.length === (i + 1) * 2 ? true : undefined;
    });
  }
  const { page, context, errors } = await openChat(setup.browser, `${setup.url}/#/c/${created.id}`);
  await page.waitForSelector("#thread .message.assistant");
  await send(page, "/sim tokens=5\nhi");
  expect((await finishedAnswer(page)).status).toBe("complete");
  expect(errors).toEqual([]);
  await context.close();
}, 120_000);

test("after a reload, Regenerate (mouse) and Edit (keyboard) add versions; the server keeps the earlier ones", async () => {
  const { page, context, errors } = await openChat(setup.browser, setup.url);
  await send(page, "/sim tokens=4\nQ1");
  await finishedAnswer(page);
  const id = conversationIdOf(page);
  await send(page, "/sim tokens=4\nQ2");
  await finishedAnswer(page);
  await waitFor("4 stored messages", async () => ((await storedThread(id)).length === 4 ? true : undefined));
  const firstAnswer = (await readConversation(setup.url, id)).messages[3]?.id;
  await page.reload();
  await page.click('#thread .message.assistant:last-child button:has-text("Regenerate")');
  await finishedAnswer(page);
  await waitFor("the regenerated answer to be stored", async () => {
    const stored = await readConversation(setup.url, id);
    const last = stored.messages[3];
    return stored.running_stream_id === null && last?.id !== firstAnswer && last?.sibling_count === 2
      ? true
      : undefined;
  });
  await page.reload();
  await page.focus('#thread .message.user >> nth=0 >> button:has-text("Edit")');
  await page.keyboard.press("Enter");
  expect(await page.inputValue("#prompt")).toContain("Q1");
  await page.fill("#prompt", "/sim tokens=4\nQ1 edited");
  await page.press("#prompt", "Enter");
  await finishedAnswer(page);
  // The branch shown is the edited question and its answer; the first question is its other version.
  await waitFor("2 messages on the branch shown", async () =>
    (await storedThread(id)).length === 2 ? true : undefined,
  );
  const stored = await readConversation(setup.url, id);
  expect(stored.messages[0]?.content).toContain("Q1 edited");
  expect(stored.messages[0]?.sibling_count).toBe(2);
  expect(await page.textContent("#thread .message.user .branch-position")).toBe("2/2");
  expect(errors).toEqual([]);
  await context.close();
}, 90_000);
