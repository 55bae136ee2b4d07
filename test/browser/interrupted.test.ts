/**
 * An answer the server was killed in the middle of: after the restart the page says it was
 * interrupted, and Continue writes the rest into the same answer. The app alone (no nginx): the
 * restart is of the app's process, with its data kept.
 */
import { afterAll, expect, test } from "bun:test";
import type { Browser } from "playwright-core";
import { createConversation, readConversation, sendMessage } from "../../harness/client/conversations.ts";
import { readStream } from "../../harness/client/stream.ts";
import { freshDataDir, type Started, startApp } from "../../harness/stack/spawn.ts";
import { finishedAnswer, launchBrowser, openChat } from "./chat-page.ts";

const apps: Started[] = [];
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  await Promise.all(apps.map((app) => app.stop()));
}, 60_000);

async function app(env: Record<string, string>): Promise<Started> {
  const started = await startApp({ SIM_TTFT_MS: "0", CHECKPOINT_MS: "200", ...env });
  apps.push(started);
  return started;
}

const lastAnswer = "#thread .message.assistant:last-child";
const words = (text: string) => text.trim().split(/\s+/).join(" ");

test("an answer cut by a restart says Interrupted and offers Continue, which writes the rest into it", async () => {
  const dataDir = freshDataDir();
  const first = await app({ DATA_DIR: dataDir });
  const id = await createConversation(first.url);
  const sent = await sendMessage(first.url, id, "/sim tps=20 tokens=60\nA story in sixty words");
  expect(sent.status).toBe(202);
  // Ten tokens shown, a checkpoint or two later the process is killed mid-answer.
  await readStream(`${first.url}${sent.json.streamUrl}`, {
    timeoutMs: 30_000,
    closeWhen: (_event, events) => events.filter((event) => event.event === "token").length >= 10,
  });
  await Bun.sleep(500);
  first.process.kill("SIGKILL");
  await first.process.exited;
  const second = await app({ DATA_DIR: dataDir });
  const cut = (await readConversation(second.url, id)).messages.at(-1);
  expect(cut?.status).toBe("interrupted");
  expect(cut?.content.length ?? 0).toBeGreaterThan(0);
  browser = await launchBrowser();
  const { page, context, errors } = await openChat(browser, `${second.url}/#/c/${id}`);
  await page.waitForSelector(`${lastAnswer}[data-status=interrupted]`);
  expect(await page.textContent(`${lastAnswer} .problem`)).toContain("Interrupted");
  await page.click(`${lastAnswer} button:has-text("Continue")`);
  await page.waitForSelector(`${lastAnswer}.live`);
  const whole = await finishedAnswer(page);
  expect(whole.status).toBe("complete");
  // Compared as words: the page shows the stored paragraphs as rendered Markdown.
  const before = words(cut?.content ?? "-");
  expect(words(whole.text).startsWith(before)).toBe(true);
  expect(words(whole.text).length).toBeGreaterThan(before.length);
  // Control: the same answer on the server, extended, and no longer marked interrupted.
  await page.waitForSelector(`${lastAnswer}[data-message-id="${cut?.id}"]`, { timeout: 10_000 });
  const stored = (await readConversation(second.url, id)).messages;
  expect(stored.length).toBe(2);
  expect(stored[1]?.id).toBe(cut?.id ?? "");
  expect(stored[1]?.status).toBe("complete");
  expect(errors).toEqual([]);
  await context.close();
}, 90_000);
