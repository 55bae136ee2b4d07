/** The browser bench's results: printed, and kept as JSON and Markdown in loadtest/results/. */
import { writeFileSync } from "node:fs";
import { type BenchEnvironment, describeMachine } from "../../harness/measure/environment.ts";
import { percentileOf } from "../../harness/measure/percentile.ts";
import type { MachineNoise } from "./measure.ts";
import type { OpenRun } from "./open-run.ts";
import type { CaseFigures } from "./page-probe.ts";

export interface VariantRun {
  /** "current", or the revision the baseline was built from. */
  variant: string;
  case: string;
  title: string;
  tokensPerSecond: number;
  figures: CaseFigures;
  /** The control page during the run: the machine's own share of long tasks and stalls. */
  noise: MachineNoise;
}

export interface BrowserBenchResult {
  date: string;
  command: string;
  environment: BenchEnvironment;
  runs: VariantRun[];
  /** The opening cases. */
  opens: OpenRun[];
}

/** The targets: what a frame, the long tasks and a key press may cost while text streams. */
export const TARGETS = { renderP95Ms: 8, longTaskSharePercent: 2, worstInputDelayMs: 50 };

const mark = (value: number, target: number) => `${value}${value <= target ? "" : " ✗"}`;

/** One line of the results table. */
function row(run: VariantRun): string {
  const f = run.figures;
  return [
    run.title,
    run.variant,
    `${f.streamSeconds} s`,
    `${f.renderP50Ms} / ${mark(f.renderP95Ms, TARGETS.renderP95Ms)} / ${f.renderMaxMs}`,
    mark(f.longTaskSharePercent, TARGETS.longTaskSharePercent),
    f.longestTaskMs,
    `${mark(f.worstInputDelayMs, TARGETS.worstInputDelayMs)} (${f.keysDelayedOver50Ms} of ${f.keyPresses} keys over 50)`,
    f.framesPerSecond,
    `${run.noise.longTaskSharePercent}% / ${run.noise.worstStallMs} ms / ${run.noise.stallsOver50Ms}`,
  ].join(" | ");
}

/** The targets for opening a conversation. */
export const OPEN_TARGETS = { usableMs: 300, longestTaskMs: 50 };

const median = (values: number[]) => Math.round(percentileOf(values, 50));
const worst = (values: number[]) => Math.round(Math.max(...values));
/** "median (worst)" of one figure over a run's openings, marked against `target` when given. */
function spread(run: OpenRun, pick: (figures: OpenRun["figures"][number]) => number | undefined, target?: number) {
  const values = run.figures.map(pick).filter((value): value is number => value !== undefined);
  if (values.length === 0) return "–";
  const text = `${median(values)} (${worst(values)})`;
  return target === undefined || worst(values) <= target ? text : `${text} ✗`;
}

/** One line of the opening table. */
function openRow(run: OpenRun): string {
  const noise = run.noise.map((n) => n.longTaskSharePercent);
  return [
    run.title,
    run.variant,
    spread(run, (f) => f.clickToUsableMs, OPEN_TARGETS.usableMs),
    spread(run, (f) => f.loadToUsableMs),
    spread(run, (f) => f.longestTaskMs, OPEN_TARGETS.longestTaskMs),
    spread(run, (f) => f.longTaskTotalMs),
    spread(run, (f) => f.messagesShown),
    `${spread(run, (f) => f.switchMs)} / ${spread(run, (f) => f.switchBackMs)}`,
    `${Math.max(...noise)}% / ${worst(run.noise.map((n) => n.worstStallMs))} ms`,
  ].join(" | ");
}

function openMarkdown(opens: OpenRun[]): string[] {
  if (opens.length === 0) return [];
  return [
    `Opening a conversation (${opens[0]?.figures.length ?? 0} openings per row; median, then the worst in brackets). Targets: usable within ${OPEN_TARGETS.usableMs} ms of the click, no task over ${OPEN_TARGETS.longestTaskMs} ms (✗: the worst missed).`,
    "",
    "| case | UI | click in the list → usable, ms | page load → usable, ms | longest task, ms | time in long tasks, ms | messages on the page | `< n/m >`: other version (read) / back (known), ms | machine alone: long tasks / worst stall |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ...opens.map((run) => `| ${openRow(run)} |`),
    "",
    "Usable: the first frame in which the newest answer is on screen, rendered, with the view at the end (a requestAnimationFrame check in the page). Long tasks (Long Tasks API) from the click until 2 s after usable: the work left for later (older messages, answers rendered as they come near the view) is in them. Page load: from the start of the navigation to the conversation's address. `< n/m >`: a click on the lowest answer with another version, to the frame that shows it; the other version is read from the server, the way back is known to the page. Machine alone: the control page during each opening, as below.",
    "",
  ];
}

/** The results as Markdown: the opening table, then the streaming one. */
export function resultMarkdown(result: BrowserBenchResult): string {
  const streams = result.runs.length === 0 ? [] : streamMarkdown(result);
  return [
    `# Sluice browser bench, ${result.date}`,
    "",
    `Command: \`${result.command}\`. Machine: ${describeMachine(result.environment)}. Headless Chromium, 1280×800; the stack (nginx, app, simulator) and the browser share the machine.`,
    "",
    ...openMarkdown(result.opens),
    ...streams,
  ].join("\n");
}

function streamMarkdown(result: BrowserBenchResult): string[] {
  return [
    `Streaming. Targets: render p95 ≤ ${TARGETS.renderP95Ms} ms per frame, ≤ ${TARGETS.longTaskSharePercent}% of the time in long tasks, worst input delay ≤ ${TARGETS.worstInputDelayMs} ms (✗: missed).`,
    "",
    "| case | UI | stream | render per frame p50 / p95 / max, ms | long tasks, % of time | longest task, ms | worst input delay, ms | frames/s | machine alone: long tasks / worst stall / stalls over 50 ms |",
    "|---|---|---:|---|---:|---:|---:|---:|---:|",
    ...result.runs.map((run) => `| ${row(run)} |`),
    "",
    "Render per frame: the page's `sluice-render` measure (Markdown, DOM and the layout it forces). Long tasks: tasks over 50 ms (Long Tasks API) during the stream. Input delay: from a key press to the start of its handlers (Event Timing; presses under 16 ms in all are not reported, so 0 means none reached 16 ms), while typing about eight keys a second in the message box during the whole stream. Machine alone: a control page in its own renderer process, running during each row (a frame loop with 0.5 ms of work per frame): its long tasks and stalls come from other processes taking the cores, at the same time, and the row's long tasks and input delays include as much.",
    "",
  ];
}

/** Writes `<name>.json` and `<name>.md` under `dir`. */
export function writeResults(dir: string, name: string, result: BrowserBenchResult): void {
  writeFileSync(`${dir}${name}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`${dir}${name}.md`, resultMarkdown(result));
}
