/**
 * The inter-token gap of running streams while another process keeps the database's write lock
 * (hold-write-lock.ts): prints p50, p99 and max at the client, without and with the pressure.
 * Every stream is a stored conversation whose checkpoints (every second) and answer need the
 * lock the other process holds; the pressure starts once the streams run, since a question
 * cannot be stored (nor a new stream start) while the lock is held for good.
 *
 * Usage: bun loadtest/store-bench/write-pressure.ts [--runtime bun|deno] [--streams 50] [--seconds 10]
 *        [--hold-ms 1500]
 */

import { join } from "node:path";
import { parseArgs } from "node:util";
import { spawn } from "bun";
import { createConversation, sendMessage } from "../../harness/client/conversations.ts";
import { readStream } from "../../harness/client/stream.ts";
import { percentileOf } from "../../harness/measure/percentile.ts";
import type { Runtime } from "../../harness/stack/process.ts";
import { freshDataDir, startApp } from "../../harness/stack/spawn.ts";

const { values } = parseArgs({
  options: {
    runtime: { type: "string", default: "bun" },
    // Concurrent streams, each a conversation of its own.
    streams: { type: "string", default: "50" },
    // How long each answer runs, at 50 tokens per second (a paced gap of 20 ms).
    seconds: { type: "string", default: "10" },
    // How long the other process holds the write lock each time (SQLite's busy_timeout is 5 s).
    "hold-ms": { type: "string", default: "1500" },
  },
});
const runtime = values.runtime as Runtime;
const streams = Number(values.streams);
const tokens = Number(values.seconds) * 50;

/**
 * Runs `streams` paced answers at once, calling `running` once they all run; returns every
 * inter-token gap the clients saw, in ms.
 */
async function gaps(base: string, running: () => void = () => {}): Promise<number[]> {
  const ids = await Promise.all(Array.from({ length: streams }, () => createConversation(base)));
  const sent = await Promise.all(ids.map((id) => sendMessage(base, id, `/sim tps=50 tokens=${tokens}\nsteady`)));
  const reading = sent.map((answer) =>
    readStream(`${base}${answer.json.streamUrl}`, { timeoutMs: tokens * 20 + 30_000 }),
  );
  running();
  const reads = await Promise.all(reading);
  return reads.flatMap((read) => {
    const at = read.events.filter((event) => event.event === "token").map((event) => event.at);
    return at.slice(1).map((time, index) => time - (at[index] ?? time));
  });
}

function report(label: string, seen: number[]): void {
  const round = (value: number) => Math.round(value * 10) / 10;
  console.log(
    JSON.stringify({
      label,
      runtime,
      streams,
      gaps: seen.length,
      p50_ms: round(percentileOf(seen, 50)),
      p99_ms: round(percentileOf(seen, 99)),
      max_ms: round(percentileOf(seen, 100)),
    }),
  );
}

const dataDir = freshDataDir();
const app = await startApp({ DATA_DIR: dataDir, SIM_TTFT_MS: "0", SIM_MAX_TOKENS: String(tokens) }, runtime);
try {
  report("no pressure", await gaps(app.url));
  let holder: ReturnType<typeof spawn> | undefined;
  const pressure = () => {
    const command = [process.execPath, join(import.meta.dir, "hold-write-lock.ts"), join(dataDir, "sluice.db")];
    const durationMs = String(Number(values.seconds) * 1000);
    holder = spawn([...command, values["hold-ms"] as string, "20", durationMs], { stdout: "pipe" });
  };
  report(`write lock held ${values["hold-ms"]} ms at a time by another process`, await gaps(app.url, pressure));
  await holder?.exited;
} finally {
  await app.stop();
}
