/**
 * A Chromium trace of one run (TRACE=<folder>), and what it says of the page's main thread: for
 * each task over 50 ms, its wall time and the CPU time the thread got in it (a task that is long on
 * the wall but short in CPU waited for a core: the machine's, not the page's); and the thread's
 * CPU time per second, in all and by rendering step.
 */
import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
}

/** Starts tracing `page` into `path` (the timeline categories: tasks, layout, paint, scripts). */
export function startTrace(browser: Browser, page: Page, path: string): Promise<void> {
  return browser.startTracing(page, {
    path,
    categories: ["devtools.timeline", "disabled-by-default-devtools.timeline"],
  });
}

/** What a trace says of the page's main thread (the one running its animation frames). */
export interface TraceSummary {
  /** Its tasks over 50 ms: when, their wall time, and the CPU time the thread got in them. */
  longTasks: { atSeconds: number; wallMs: number; cpuMs: number }[];
  /**
   * Its CPU time per second of the run, in all and for the browser's rendering steps (each step's
   * outermost events only: a paint inside a paint is counted once). Unlike wall times, these do
   * not grow when other processes take the cores, so two pages compare on a shared machine.
   */
  cpuMsPerSecond: { all: number } & Record<(typeof RENDERING_STEPS)[number], number>;
}

const RENDERING_STEPS = ["UpdateLayoutTree", "Layout", "PrePaint", "Paint"] as const;

/** The events of the page's main thread: the thread that ran the most animation frames. */
function mainThreadEvents(path: string): TraceEvent[] {
  const trace = JSON.parse(readFileSync(path, "utf8")) as { traceEvents: TraceEvent[] };
  const events = trace.traceEvents.filter((event) => event.ph === "X" && event.dur !== undefined);
  const frames = new Map<string, number>();
  for (const event of events) {
    if (event.name === "FireAnimationFrame")
      frames.set(`${event.pid}:${event.tid}`, (frames.get(`${event.pid}:${event.tid}`) ?? 0) + 1);
  }
  const main = [...frames].sort((a, b) => b[1] - a[1])[0]?.[0];
  return events.filter((event) => `${event.pid}:${event.tid}` === main).sort((a, b) => a.ts - b.ts);
}

/** The thread time of `name`'s outermost events in `events` (sorted by start). */
function outermostCpuMs(events: readonly TraceEvent[], name: string): number {
  let total = 0;
  let coveredUntil = Number.NEGATIVE_INFINITY;
  for (const event of events) {
    if (event.name !== name || event.ts < coveredUntil) continue;
    total += (event.tdur ?? 0) / 1000;
    coveredUntil = event.ts + (event.dur ?? 0);
  }
  return total;
}

/** The long tasks and the CPU time of the page's main thread in the trace at `path`. */
export function traceSummaryOf(path: string): TraceSummary {
  const events = mainThreadEvents(path);
  const tasks = events.filter((event) => event.name === "RunTask");
  const start = tasks[0]?.ts ?? 0;
  const last = tasks.at(-1);
  const seconds = Math.max(last ? last.ts + (last.dur ?? 0) - start : 0, 1) / 1e6;
  const perSecond = (ms: number) => Math.round((ms / seconds) * 10) / 10;
  const steps = Object.fromEntries(
    RENDERING_STEPS.map((step) => [step, perSecond(outermostCpuMs(events, step))] as const),
  ) as Record<(typeof RENDERING_STEPS)[number], number>;
  return {
    longTasks: tasks
      .filter((task) => (task.dur ?? 0) > 50_000)
      .map((task) => ({
        atSeconds: Math.round((task.ts - start) / 100_000) / 10,
        wallMs: Math.round((task.dur ?? 0) / 1000),
        cpuMs: Math.round((task.tdur ?? 0) / 1000),
      })),
    cpuMsPerSecond: { all: perSecond(outermostCpuMs(events, "RunTask")), ...steps },
  };
}
