/**
 * Nothing lost on restart: a SIGKILL keeps the text checkpointed up to about a second before it,
 * a SIGTERM past the drain ends answers with a retryable `server_shutdown` stored as interrupted,
 * and a second signal exits at once after a last checkpoint.
 */
import { afterEach, expect, test } from "bun:test";
import { createConversation, readConversation, sendMessage } from "../../harness/client/conversations.ts";
import { answerText, readStream } from "../../harness/client/stream.ts";
import { freshDataDir, type Started, startApp } from "../../harness/stack/spawn.ts";

const apps: Started[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.stop()));
});

async function app(env: Record<string, string>) {
  const started = await startApp({ SIM_TTFT_MS: "0", SIM_MAX_TOKENS: "100000", ...env });
  apps.push(started);
  return started;
}

/** Starts a slow answer in a new conversation and reads it until `tokens` tokens were shown. */
async function answerShown(sluice: Started, tokens: number) {
  const id = await createConversation(sluice.url);
  const sent = await sendMessage(sluice.url, id, "/sim tps=20 tokens=2000\na long story");
  expect(sent.status).toBe(202);
  const shownAt: string[] = [];
  const read = readStream(`${sluice.url}${sent.json.streamUrl}`, {
    timeoutMs: 30_000,
    closeWhen: (_event, events) => {
      shownAt.push(answerText(events));
      return events.filter((event) => event.event === "token").length >= tokens;
    },
  });
  return { id, read, shownAt };
}

const exited = (app: Started, withinMs: number) =>
  Promise.race([app.process.exited, Bun.sleep(withinMs).then(() => "still running")]);

test("SIGKILL mid-answer: after the restart the answer is interrupted with its checkpointed text", async () => {
  const dataDir = freshDataDir();
  const first = await app({ DATA_DIR: dataDir });
  const { id, read, shownAt } = await answerShown(first, 50);
  await read;
  // 50 tokens at 20 per second: what was shown two seconds before the kill is stored (CHECKPOINT_MS
  // is one second; the other second is room for a loaded machine's late timers).
  const shownEarlier = shownAt[10] ?? "";
  const shown = shownAt.at(-1) ?? "";
  first.process.kill("SIGKILL");
  await first.process.exited;
  const second = await app({ DATA_DIR: dataDir });
  const answer = (await readConversation(second.url, id)).messages.at(-1);
  expect(answer?.status).toBe("interrupted");
  expect(shownEarlier.length).toBeGreaterThan(10);
  expect(answer?.content.startsWith(shownEarlier)).toBe(true);
  expect(shown.startsWith(answer?.content ?? "-") || answer?.content.startsWith(shown)).toBe(true);
}, 60_000);

test("SIGTERM past DRAIN_TIMEOUT_MS: viewers get a retryable server_shutdown, the answer is stored interrupted", async () => {
  const dataDir = freshDataDir();
  const first = await app({ DATA_DIR: dataDir, DRAIN_TIMEOUT_MS: "500" });
  const id = await createConversation(first.url);
  const sent = await sendMessage(first.url, id, "/sim tps=20 tokens=2000\na long story");
  const read = readStream(`${first.url}${sent.json.streamUrl}`, { timeoutMs: 15_000 });
  await Bun.sleep(500);
  first.process.kill("SIGTERM");
  const { events } = await read;
  const last = events.at(-1);
  expect(last?.event).toBe("error");
  expect(JSON.parse(last?.data ?? "{}")).toMatchObject({ code: "server_shutdown", retryable: true });
  expect(await exited(first, 5_000)).toBe(0);
  const second = await app({ DATA_DIR: dataDir });
  const answer = (await readConversation(second.url, id)).messages.at(-1);
  expect(answer?.status).toBe("interrupted");
  expect(answer?.content).toBe(answerText(events));
}, 60_000);

test("a second SIGTERM exits at once, after a last checkpoint", async () => {
  const dataDir = freshDataDir();
  const first = await app({ DATA_DIR: dataDir, DRAIN_TIMEOUT_MS: "60000", CHECKPOINT_MS: "60000" });
  const { id, read, shownAt } = await answerShown(first, 10);
  await read;
  first.process.kill("SIGTERM");
  await Bun.sleep(300);
  // Still draining: the first signal waits up to a minute for the answer.
  expect(first.process.exitCode).toBeNull();
  first.process.kill("SIGTERM");
  expect(await exited(first, 3_000)).not.toBe("still running");
  const second = await app({ DATA_DIR: dataDir });
  const answer = (await readConversation(second.url, id)).messages.at(-1);
  expect(answer?.status).toBe("interrupted");
  // The periodic checkpoint is a minute away: only the last one can have stored this text.
  expect(answer?.content.startsWith(shownAt.at(-1) ?? "-")).toBe(true);
}, 60_000);
