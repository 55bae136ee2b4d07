/**
 * A process that dies mid-answer leaves its conversation marked running; the next process on the
 * same DATA_DIR ends that exchange as "interrupted" and keeps everything else.
 */
import { afterEach, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { callJson } from "../../harness/client/api.ts";
import { createConversation, readConversation, sendMessage } from "../../harness/client/conversations.ts";
import { freshDataDir, type Started, startApp } from "../../harness/stack/spawn.ts";

const started: Started[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((app) => app.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test("killed mid-answer, restarted on the same data: the answer is interrupted, the rest kept", async () => {
  const dataDir = freshDataDir();
  dirs.push(dataDir);
  const first = await startApp({ DATA_DIR: dataDir });
  started.push(first);
  const id = await createConversation(first.url);
  const quick = await sendMessage(first.url, id, "/sim ttft_ms=0 tps=1000 tokens=5\nquick one");
  expect(quick.status).toBe(202);
  // Read the quick answer's stream to its end, so it is stored before the slow one starts.
  await (await fetch(`${first.url}${quick.json.streamUrl}`, { signal: AbortSignal.timeout(10_000) })).text();
  const slow = await sendMessage(first.url, id, "/sim tps=2 tokens=100\nslow one");
  const running = await readConversation(first.url, id);
  expect(running.running_stream_id).toBe(slow.json.streamId);

  first.process.kill("SIGKILL");
  await first.process.exited;
  const second = await startApp({ DATA_DIR: dataDir });
  started.push(second);

  const after = await readConversation(second.url, id);
  expect(after.running_stream_id).toBeNull();
  expect(after.title).toBe("quick one");
  expect(after.messages.map((m: { role: string; status: string }) => `${m.role}:${m.status}`)).toEqual([
    "user:complete",
    "assistant:complete",
    "user:complete",
    "assistant:interrupted",
  ]);
  expect((await callJson(second.url, "GET", slow.json.streamUrl)).status).toBe(404);
}, 60_000);
