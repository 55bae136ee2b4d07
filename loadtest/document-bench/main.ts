/**
 * The cost of documents, per extracted MB (issue 22):
 *
 *   bun loadtest/document-bench/main.ts in-process            # a PDF's text read on the calling thread
 *                                                             # and in the reader's worker, and a text
 *                                                             # file judged: ms per million characters,
 *                                                             # and the longest the event loop was held
 *   bun loadtest/document-bench/main.ts http --runtime deno   # a question with a PDF, then with the same
 *                                                             # text as a file, through the app: POST → 202
 *                                                             # per million characters, and the slowest
 *                                                             # /healthz meanwhile
 *
 * Options: --sizes 1,4 (million characters per file), --rounds 3, --runtime bun|deno (the app's, http).
 * Medians over the rounds. Not a test: the figures depend on the machine and on what else runs on it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { describeEnvironment, describeMachine } from "../../harness/measure/environment.ts";
import { median } from "../../harness/measure/percentile.ts";
import type { Runtime } from "../../harness/stack/process.ts";
import { startAppService } from "../../harness/stack/services.ts";
import { readInProcess } from "./in-process.ts";
import { ingestOverHttp } from "./over-http.ts";
import { sampleFiles } from "./sample-files.ts";

const TOKEN = "document-bench-token-5b0d8e2a";
const root = new URL("../../", import.meta.url).pathname;

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    sizes: { type: "string", default: "1,4" },
    rounds: { type: "string", default: "3" },
    runtime: { type: "string", default: "bun" },
  },
});
const sizes = flags.sizes.split(",").map(Number);
const rounds = Number(flags.rounds);
const runtime: Runtime = flags.runtime === "deno" ? "deno" : "bun";

/** "<ms per million characters> ms/MB (<max lag> ms held)" from each round's figures. */
function perMillion(figures: { ms: number; lag: number }[], characters: number): string {
  const ms = median(figures.map((f) => f.ms));
  const lag = median(figures.map((f) => f.lag));
  return `${((ms * 1_000_000) / characters).toFixed(0)} ms/MB (whole: ${ms.toFixed(0)} ms; loop held ≤ ${lag.toFixed(0)} ms)`;
}

async function inProcess(): Promise<void> {
  console.log(`in-process, on Bun ${Bun.version}, medians of ${rounds} rounds`);
  for (const size of sizes) {
    const files = sampleFiles(size);
    const all: Awaited<ReturnType<typeof readInProcess>>[] = [];
    for (let round = 0; round < rounds; round++) all.push(await readInProcess(files));
    const of = (key: "pdfInline" | "pdfWorker" | "text") =>
      all.map((r) => ({ ms: r[key].ms, lag: r[key].maxLoopLagMs }));
    const characters = all[0]?.pdfWorker.characters ?? 0;
    console.log(`  ${(files.pdf.byteLength / 1e6).toFixed(1)} MB PDF, ${characters.toLocaleString()} characters read:`);
    console.log(`    PDF on the calling thread: ${perMillion(of("pdfInline"), characters)}`);
    console.log(`    PDF in the reader's worker: ${perMillion(of("pdfWorker"), characters)}`);
    console.log(`    the same as a text file:    ${perMillion(of("text"), files.text.length)}`);
  }
}

async function overHttp(): Promise<void> {
  const largest = Math.max(...sizes);
  const app = await startAppService({
    runtime,
    env: {
      ...process.env,
      SIM_TTFT_MS: "0",
      AUTH: "token",
      AUTH_TOKENS: `bench:${TOKEN}`,
      DATA_DIR: mkdtempSync(join(tmpdir(), "sluice-document-bench-")),
      DOCUMENT_MAX_BYTES: String(Math.min(104_857_600, Math.ceil(largest * 1.6e6))),
      DOCUMENT_MAX_CHARS: String(largest * 1_100_000),
      DOCUMENT_READ_TIMEOUT_MS: "600000",
      QUOTA_USER_BYTES: "0",
    },
  });
  try {
    console.log(`http, the app on ${runtime}, medians of ${rounds} rounds (POST → 202; slowest /healthz meanwhile)`);
    for (const size of sizes) {
      const files = sampleFiles(size);
      const all: Awaited<ReturnType<typeof ingestOverHttp>>[] = [];
      for (let round = 0; round < rounds; round++) all.push(await ingestOverHttp(app.url, TOKEN, files));
      const of = (key: "pdf" | "text") => all.map((r) => ({ ms: r[key].ms, lag: r[key].maxHealthMs }));
      console.log(
        `  ${(files.pdf.byteLength / 1e6).toFixed(1)} MB PDF, ${files.text.length.toLocaleString()} characters:`,
      );
      console.log(`    with the PDF:       ${perMillion(of("pdf"), files.text.length)}`);
      console.log(`    with the text file: ${perMillion(of("text"), files.text.length)}`);
    }
  } finally {
    await app.process.stop();
  }
}

console.log(describeMachine(describeEnvironment(root)));
const scenario = positionals[0];
if (scenario === "in-process") await inProcess();
else if (scenario === "http") await overHttp();
else {
  console.error(
    "usage: bun loadtest/document-bench/main.ts in-process | http [--runtime deno] [--sizes 1,4] [--rounds 3]",
  );
  process.exit(2);
}
