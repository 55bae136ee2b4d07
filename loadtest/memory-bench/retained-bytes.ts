/**
 * Retained bytes against RETAINED_BYTES_MAX: `--answers` answers of MAX_GENERATION_BYTES each run
 * one after the other (a small fake model sends 64 KiB tokens); prints what `sluice_retained_bytes`
 * reports, how many answers can still be replayed, and the app's resident memory before the first
 * answer and after the last (its growth is what the retained answers really hold, and the rest:
 * compare it with what is counted, `rss_growth_per_counted_byte`).
 *
 * Usage: bun loadtest/memory-bench/retained-bytes.ts [--runtime bun|deno] [--answers 100]
 *        [--answer-mib 1] [--budget-mib 16]
 */

import { parseArgs } from "node:util";
import { startChat } from "../../harness/client/chat.ts";
import { metricValue } from "../../harness/client/metrics.ts";
import { readStream } from "../../harness/client/stream.ts";
import { startFakeModel } from "../../harness/fake-model.ts";
import { rssBytes } from "../../harness/measure/proc.ts";
import type { Runtime } from "../../harness/stack/process.ts";
import { internalUrl, startApp } from "../../harness/stack/spawn.ts";

const { values } = parseArgs({
  options: {
    runtime: { type: "string", default: "bun" },
    answers: { type: "string", default: "100" },
    "answer-mib": { type: "string", default: "1" },
    "budget-mib": { type: "string", default: "16" },
  },
});
const runtime = values.runtime as Runtime;
const answerBytes = Number(values["answer-mib"]) * 1024 * 1024;
const budgetBytes = Number(values["budget-mib"]) * 1024 * 1024;

// A model that answers every call with 64 KiB tokens until the app stops it at its byte budget.
const token = "y".repeat(64 * 1024);
const model = startFakeModel({
  models: ["big"],
  tokens: Array.from({ length: Math.ceil(answerBytes / token.length) + 2 }, () => token),
});
const app = await startApp(
  {
    UPSTREAM_BASE_URL: model.baseUrl,
    MODEL: "big",
    MAX_GENERATION_BYTES: String(answerBytes),
    RETAINED_BYTES_MAX: String(budgetBytes),
  },
  runtime,
);
try {
  const rssStart = rssBytes(app.process.pid);
  const urls: string[] = [];
  let peak = 0;
  for (let index = 0; index < Number(values.answers); index++) {
    const { url } = await startChat(app.url, `answer ${index}`);
    await readStream(url, { timeoutMs: 60_000 });
    urls.push(url);
    peak = Math.max(peak, await metricValue(internalUrl(app), "sluice_retained_bytes"));
  }
  let replayable = 0;
  for (const url of urls) {
    const response = await fetch(url);
    await response.body?.cancel();
    if (response.status === 200) replayable++;
  }
  const retainedEnd = await metricValue(internalUrl(app), "sluice_retained_bytes");
  const rssEnd = rssBytes(app.process.pid);
  const mib = (bytes: number) => Math.round(bytes / 104857.6) / 10;
  console.log(
    JSON.stringify({
      runtime,
      answers: urls.length,
      answer_bytes: answerBytes,
      budget_bytes: budgetBytes,
      retained_bytes_peak: peak,
      retained_bytes_end: retainedEnd,
      replayable_answers: replayable,
      rss_start_mib: mib(rssStart),
      rss_end_mib: mib(rssEnd),
      rss_growth_per_counted_byte: Math.round(((rssEnd - rssStart) / retainedEnd) * 10) / 10,
    }),
  );
} finally {
  await app.stop();
  model.stop();
}
