/**
 * A process that dies mid-answer leaves its conversation marked running; the next process on the
 * same DATA_DIR ends that exchange as "interrupted" and keeps everything else.
 */
import { afterEach, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { freshDataDir, type Started, startApp } from "../../harness/stack/spawn.ts";

const started: Started[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function json(url: string, init?: RequestInit) {
  const response = await fetch(url, {
    ...init,
    headers: { "content-type": "application/json" },
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: response.status === 204 ? null : await response.json() };
}

async function chat(base: string, conversationId: string, content: string) {
  return json(`${base}/api/chat`, {
    method: "POST",
    body: JSON.stringify({ conversationId, messages: [{ role: "user", content }] }),
  });
}

test("killed mid-answer, restarted on the same data: the answer is interrupted, the rest kept", async () => {
  const dataDir = freshDataDir();
  dirs.push(dataDir);
  const first = await startApp({ DATA_DIR: dataDir });
  started.push(first);
  const { body: conversation } = await json(`${first.url}/api/conversations`, { method: "POST", body: "{}" });
  const quick = await chat(first.url, conversation.id, "/sim ttft_ms=0 tps=1000 tokens=5\nquick one");
  expect(quick.status).toBe(202);
  // Read the quick answer's stream to its end, so it is stored before the slow one starts.
  await (await fetch(`${first.url}${quick.body.streamUrl}`, { signal: AbortSignal.timeout(10_000) })).text();
  const slow = await chat(first.url, conversation.id, "/sim tps=2 tokens=100\nslow one");
  const running = await json(`${first.url}/api/conversations/${conversation.id}`);
  expect(running.body.running_stream_id).toBe(slow.body.streamId);

  first.process.kill("SIGKILL");
  await first.process.exited;
  const second = await startApp({ DATA_DIR: dataDir });
  started.push(second);

  const after = await json(`${second.url}/api/conversations/${conversation.id}`);
  expect(after.body.running_stream_id).toBeNull();
  expect(after.body.title).toBe("quick one");
  expect(after.body.messages.map((m: { role: string; status: string }) => `${m.role}:${m.status}`)).toEqual([
    "user:complete",
    "assistant:complete",
    "user:complete",
    "assistant:interrupted",
  ]);
  expect((await json(`${second.url}${slow.body.streamUrl}`)).status).toBe(404);
}, 60_000);
