/** The browser bench's results: printed, and kept as JSON and Markdown in loadtest/results/. */
import { writeFileSync } from "node:fs";
import { type BenchEnvironment, describeMachine } from "../../harness/measure/environment.ts";
import type { MachineNoise } from "./measure.ts";
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

export function resultMarkdown(result: BrowserBenchResult): string {
  return [
    `# Sluice browser bench, ${result.date}`,
    "",
    `Command: \`${result.command}\`. Machine: ${describeMachine(result.environment)}. Headless Chromium, 1280×800; the stack (nginx, app, simulator) and the browser share the machine.`,
    "",
    `Targets: render p95 ≤ ${TARGETS.renderP95Ms} ms per frame, ≤ ${TARGETS.longTaskSharePercent}% of the time in long tasks, worst input delay ≤ ${TARGETS.worstInputDelayMs} ms (✗: missed).`,
    "",
    "| case | UI | stream | render per frame p50 / p95 / max, ms | long tasks, % of time | longest task, ms | worst input delay, ms | frames/s | machine alone: long tasks / worst stall / stalls over 50 ms |",
    "|---|---|---:|---|---:|---:|---:|---:|---:|",
    ...result.runs.map((run) => `| ${row(run)} |`),
    "",
    "Render per frame: the page's `sluice-render` measure (Markdown, DOM and the layout it forces). Long tasks: tasks over 50 ms (Long Tasks API) during the stream. Input delay: from a key press to the start of its handlers (Event Timing; presses under 16 ms in all are not reported, so 0 means none reached 16 ms), while typing about eight keys a second in the message box during the whole stream. Machine alone: a control page in its own renderer process, running during each row (a frame loop with 0.5 ms of work per frame): its long tasks and stalls come from other processes taking the cores, at the same time, and the row's long tasks and input delays include as much.",
    "",
  ].join("\n");
}

/** Writes `<name>.json` and `<name>.md` under `dir`. */
export function writeResults(dir: string, name: string, result: BrowserBenchResult): void {
  writeFileSync(`${dir}${name}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(`${dir}${name}.md`, resultMarkdown(result));
}
