/**
 * The app's memory under readers that never read: `--readers` sockets (1,000 by default) spread
 * over `--generations` answers, each sending its GET and then never reading a byte (the socket is
 * paused). Samples the app process's resident memory every second, once with no reader and once
 * with the stalled ones, and prints both runs' figures. The model is the standalone simulator, in
 * its own process, so the figures are the app's alone.
 *
 * Usage: bun loadtest/memory-bench/stalled-readers.ts [--runtime bun|deno] [--readers 1000]
 *        [--generations 50] [--seconds 60] [--tps 100]
 */

import { connect, type Socket } from "node:net";
import { parseArgs } from "node:util";
import { startChat } from "../../harness/client/chat.ts";
import { metricValue } from "../../harness/client/metrics.ts";
import { rssBytes } from "../../harness/measure/proc.ts";
import type { Runtime } from "../../harness/stack/process.ts";
import { internalUrl, type Started, startApp, startSimulator } from "../../harness/stack/spawn.ts";

const { values } = parseArgs({
  options: {
    runtime: { type: "string", default: "bun" },
    readers: { type: "string", default: "1000" },
    generations: { type: "string", default: "50" },
    // How long each answer runs.
    seconds: { type: "string", default: "60" },
    // Tokens per second of each answer: a fast model's pace.
    tps: { type: "string", default: "100" },
  },
});
const runtime = values.runtime as Runtime;
const readers = Number(values.readers);
const generations = Number(values.generations);
const seconds = Number(values.seconds);
const tps = Number(values.tps);

/** Resident memory of `pid` in MiB, to a tenth. */
const rssMiB = (pid: number) => Math.round(rssBytes(pid) / 104857.6) / 10;

/** Opens a stream with a GET and never reads its answer. */
function stalledReader(app: Started, path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(app.port, "127.0.0.1", () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
      socket.pause();
      resolve(socket);
    });
    socket.on("error", reject);
  });
}

async function run(withReaders: boolean, simulator: Started) {
  const app = await startApp(
    { UPSTREAM_BASE_URL: `${simulator.url}/v1`, MODEL: "demo", CANCEL_GRACE_MS: "60000", MAX_OPEN_STREAMS: "100000" },
    runtime,
  );
  const pid = app.process.pid;
  try {
    const idle = rssMiB(pid);
    const chats = await Promise.all(
      Array.from({ length: generations }, (_, index) =>
        startChat(app.url, `/sim ttft_ms=0 tps=${tps} tokens=${seconds * tps}\nanswer ${index}`),
      ),
    );
    const sockets = withReaders
      ? await Promise.all(
          Array.from({ length: readers }, (_, index) =>
            stalledReader(app, chats[index % chats.length]?.streamUrl as string),
          ),
        )
      : [];
    const samples: number[] = [];
    for (let second = 0; second < seconds; second++) {
      await Bun.sleep(1_000);
      samples.push(rssMiB(pid));
    }
    const heapUsed = await metricValue(internalUrl(app), "sluice_nodejs_heap_size_used_bytes");
    const external = await metricValue(internalUrl(app), "sluice_nodejs_external_memory_bytes");
    for (const socket of sockets) socket.destroy();
    const third = Math.max(1, Math.floor(samples.length / 3));
    const average = (part: number[]) => Math.round((part.reduce((a, b) => a + b, 0) / part.length) * 10) / 10;
    console.log(
      JSON.stringify({
        runtime,
        readers: sockets.length,
        generations,
        tokens_per_second: tps,
        rss_idle_mib: idle,
        rss_first_third_mib: average(samples.slice(0, third)),
        rss_last_third_mib: average(samples.slice(-third)),
        rss_peak_mib: Math.max(...samples),
        heap_used_end_mib: Math.round(heapUsed / 104857.6) / 10,
        external_end_mib: Math.round(external / 104857.6) / 10,
      }),
    );
  } finally {
    await app.stop();
  }
}

const simulator = await startSimulator({ SIM_MAX_TOKENS: String(seconds * tps) }, "bun");
try {
  await run(false, simulator);
  await run(true, simulator);
} finally {
  await simulator.stop();
}
