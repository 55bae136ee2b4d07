/**
 * The browser bench: how the page opens long conversations and keeps up while long answers
 * stream, in headless Chromium. Not a test (it prints figures and keeps them in loadtest/results/);
 * run it by hand:
 *
 *   bun loadtest/browser-bench/main.ts                   # this checkout's UI
 *   BASELINE=main bun loadtest/browser-bench/main.ts     # side by side with another revision's UI
 *
 * Settings (env): CASES (open-3.5mb,open-320,open-branches,code-300,code-1400,table-700),
 * OPEN_REPEAT (5), TPS_CODE_300 (60), TPS_CODE_1400 (240), TPS_TABLE_700 (120), BASELINE (a git
 * revision; empty: none), RESULTS_NAME (<date>-browser), TRACE (a folder for a Chromium trace of
 * each streaming run; empty: none).
 */

import { mkdirSync } from "node:fs";
import type { Browser } from "playwright-core";
import { describeEnvironment } from "../../harness/measure/environment.ts";
import { launchChromium } from "../../harness/stack/chromium.ts";
import { startStack } from "../../harness/stack/start-stack.ts";
import { numberSetting, textSetting } from "../lib/settings.ts";
import { type BenchCase, codeAnswer, tableAnswer } from "./cases.ts";
import { measureCase, startNoiseProbe } from "./measure.ts";
import { isOpenCase, runOpenCases } from "./open-run.ts";
import { buildCurrentUi, buildRevisionUi, commitOf, type PageServer, servePage } from "./page-build.ts";
import { type BrowserBenchResult, resultMarkdown, type VariantRun, writeResults } from "./report.ts";
import { traceSummaryOf } from "./trace.ts";

// Which cases to run, comma-separated: opening conversations, then streaming answers
const CASES = textSetting("CASES", "open-3.5mb,open-320,open-branches,code-300,code-1400,table-700")
  .split(",")
  .map((name) => name.trim());
// How many times each conversation is opened under each UI
const OPEN_REPEAT = numberSetting("OPEN_REPEAT", 5);
// The rate for the 300-line block: a fast model
const TPS_CODE_300 = numberSetting("TPS_CODE_300", 60);
// Faster, so the 1,400-line block takes minutes rather than ten
const TPS_CODE_1400 = numberSetting("TPS_CODE_1400", 240);
// The 700-row table
const TPS_TABLE_700 = numberSetting("TPS_TABLE_700", 120);
// A git revision whose UI runs beside this checkout's, case by case (empty: this checkout only)
const BASELINE = textSetting("BASELINE", "");
// A folder for a Chromium trace of each run (empty: no traces)
const TRACE = textSetting("TRACE", "");
const DATE = new Date().toISOString().slice(0, 10);
// Results file names, without extension
const RESULTS_NAME = textSetting("RESULTS_NAME", `${DATE}-browser`);

const root = new URL("../../", import.meta.url).pathname;

const ALL_CASES: Record<string, BenchCase> = {
  "code-300": {
    name: "code-300",
    title: `300-line code block at ${TPS_CODE_300} tok/s`,
    answer: codeAnswer(300),
    tokensPerSecond: TPS_CODE_300,
  },
  "code-1400": {
    name: "code-1400",
    title: `1,400-line code block at ${TPS_CODE_1400} tok/s`,
    answer: codeAnswer(1_400),
    tokensPerSecond: TPS_CODE_1400,
  },
  "table-700": {
    name: "table-700",
    title: `700-row table at ${TPS_TABLE_700} tok/s`,
    answer: tableAnswer(700),
    tokensPerSecond: TPS_TABLE_700,
  },
};

function commandLine(): string {
  const settings = ["CASES", "OPEN_REPEAT", "TPS_CODE_300", "TPS_CODE_1400", "TPS_TABLE_700", "BASELINE", "TRACE"]
    .filter((name) => process.env[name])
    .map((name) => `${name}=${process.env[name]}`);
  return [...settings, "bun loadtest/browser-bench/main.ts"].join(" ");
}

/** Each streaming case under each UI, the UIs alternating so the machine's load falls on both alike. */
async function runStreams(browser: Browser, servers: Map<string, PageServer>): Promise<VariantRun[]> {
  const runs: VariantRun[] = [];
  for (const name of CASES.filter((name) => !isOpenCase(name))) {
    const benchCase = ALL_CASES[name];
    if (!benchCase) throw new Error(`CASES: unknown case "${name}" (${Object.keys(ALL_CASES).join(", ")})`);
    // Four characters a token at most: the stream's own length, with room for a page that lags.
    const timeoutMs = (benchCase.answer.length / benchCase.tokensPerSecond) * 1000 + 600_000;
    for (const [variant, server] of servers) {
      const probe = await startNoiseProbe(browser);
      const tracePath = TRACE ? `${TRACE}/${benchCase.name}-${runs.length}.json` : undefined;
      const figures = await measureCase(browser, server.url, benchCase, timeoutMs, tracePath);
      const noise = await probe.stop();
      if (tracePath) console.log(tracePath, JSON.stringify(traceSummaryOf(tracePath)));
      const run = { variant, case: benchCase.name, title: benchCase.title, tokensPerSecond: benchCase.tokensPerSecond };
      runs.push({ ...run, figures, noise });
      console.log(JSON.stringify({ ...run, ...figures, noise }));
    }
  }
  return runs;
}

async function main(): Promise<void> {
  const environment = describeEnvironment(root);
  if (TRACE) mkdirSync(TRACE, { recursive: true });
  const folders = new Map<string, string>();
  if (BASELINE) folders.set(`${BASELINE} (${commitOf(BASELINE)})`, buildRevisionUi(BASELINE));
  const current = `this checkout (${commitOf()})`;
  folders.set(current, buildCurrentUi());
  const stack = await startStack({ env: { SIM_TTFT_MS: "100", MAX_OUTPUT_TOKENS: "200000" } });
  const servers = new Map([...folders].map(([variant, dir]) => [variant, servePage(dir, stack.url)] as const));
  const browser = await launchChromium();
  try {
    const opening = CASES.filter(isOpenCase);
    const opens = await runOpenCases(browser, servers, stack.url, opening, { repeat: OPEN_REPEAT, current });
    const runs = await runStreams(browser, servers);
    const result: BrowserBenchResult = { date: DATE, command: commandLine(), environment, runs, opens };
    writeResults(`${root}loadtest/results/`, RESULTS_NAME, result);
    console.log(resultMarkdown(result));
  } finally {
    await browser.close();
    for (const server of servers.values()) server.stop();
    await stack.stop();
  }
}

await main();
