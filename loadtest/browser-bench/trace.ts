/**
 * A Chromium trace of one run (TRACE=<folder>), and what it says of the long tasks: for each task
 * over 50 ms on the page's main thread, its wall time and the CPU time the thread got in it. A
 * task that is long on the wall but short in CPU waited for a core: the machine's, not the page's.
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

/** The tasks over 50 ms of the page's main thread (the one running its animation frames). */
export function longTasksOf(path: string): { atSeconds: number; wallMs: number; cpuMs: number }[] {
  const trace = JSON.parse(readFileSync(path, "utf8")) as { traceEvents: TraceEvent[] };
  const events = trace.traceEvents.filter((event) => event.ph === "X" && event.dur !== undefined);
  const frames = new Map<string, number>();
  for (const event of events) {
    if (event.name === "FireAnimationFrame")
      frames.set(`${event.pid}:${event.tid}`, (frames.get(`${event.pid}:${event.tid}`) ?? 0) + 1);
  }
  const main = [...frames].sort((a, b) => b[1] - a[1])[0]?.[0];
  const tasks = events.filter((event) => `${event.pid}:${event.tid}` === main && event.name === "RunTask");
  const start = Math.min(...tasks.map((task) => task.ts));
  return tasks
    .filter((task) => (task.dur ?? 0) > 50_000)
    .map((task) => ({
      atSeconds: Math.round((task.ts - start) / 100_000) / 10,
      wallMs: Math.round((task.dur ?? 0) / 1000),
      cpuMs: Math.round((task.tdur ?? 0) / 1000),
    }));
}
