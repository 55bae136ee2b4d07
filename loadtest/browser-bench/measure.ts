/**
 * One case in one browser context: the question is sent, the answer streams while a user types
 * in the message box, and the page's own record becomes the case's figures.
 */
import type { Browser, Page } from "playwright-core";
import { percentileOf } from "../../harness/measure/percentile.ts";
import type { BenchCase } from "./cases.ts";
import { type CaseFigures, installProbe, type PageRecord } from "./page-probe.ts";
import { startTrace } from "./trace.ts";

// A steady typist: about eight keys a second, a short sentence over and over.
const TYPED = "the quick brown fox jumps over the lazy dog ";
const KEY_DELAY_MS = 120;

const answerSelector = "#thread .message.assistant";

/** Types into the message box until `done()` says the answer has ended; returns the keys pressed. */
async function typeUntil(page: Page, done: () => boolean): Promise<number> {
  let keys = 0;
  await page.focus("#prompt");
  while (!done()) {
    for (const key of TYPED) {
      if (done()) break;
      await page.keyboard.type(key);
      keys++;
      await page.waitForTimeout(KEY_DELAY_MS);
    }
  }
  return keys;
}

/**
 * The figures of the stream's time, from the page's record: from the first frame that rendered
 * text (sending the question and drawing it are not the stream's) to the last one.
 */
export function figuresOf(record: PageRecord, keyPresses: number): CaseFigures {
  const renders = record.renders.filter((render) => render.length > 0);
  const first = renders[0];
  const last = renders.at(-1);
  const start = first?.start ?? 0;
  const end = last ? last.start + last.duration : start;
  const seconds = Math.max(end - start, 1) / 1000;
  const within = (time: number) => time >= start && time <= end;
  const durations = renders.map((render) => render.duration);
  const longTasks = record.longTasks.filter((task) => within(task.start));
  const inputs = record.inputs.filter((input) => within(input.start));
  const delays = inputs.map((input) => input.delay);
  const late = new Set(inputs.filter((input) => input.delay > 50 && input.interaction > 0).map((i) => i.interaction));
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    streamSeconds: round(seconds),
    renderedFrames: durations.length,
    renderP50Ms: round(percentileOf(durations, 50)),
    renderP95Ms: round(percentileOf(durations, 95)),
    renderMaxMs: round(Math.max(0, ...durations)),
    longTaskSharePercent: round((longTasks.reduce((sum, task) => sum + task.duration, 0) / (seconds * 1000)) * 100),
    longestTaskMs: round(Math.max(0, ...longTasks.map((task) => task.duration))),
    worstInputDelayMs: round(Math.max(0, ...delays)),
    keysDelayedOver50Ms: late.size,
    keyPresses,
    framesPerSecond: round(record.frames.filter(within).length / seconds),
  };
}

/**
 * Streams `benchCase` on a fresh page at `pageUrl`, typing meanwhile; bounded by `timeoutMs`.
 * With `tracePath`, the run is traced there (trace.ts).
 */
export async function measureCase(
  browser: Browser,
  pageUrl: string,
  benchCase: BenchCase,
  timeoutMs: number,
  tracePath?: string,
): Promise<CaseFigures> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  try {
    const page = await context.newPage();
    await page.addInitScript(installProbe);
    await page.goto(pageUrl);
    await page.waitForSelector("#prompt");
    await page.fill("#prompt", `/sim tps=${benchCase.tokensPerSecond} ttft_ms=100\n/echo ${benchCase.answer}`);
    if (tracePath) await startTrace(browser, page, tracePath);
    await page.press("#prompt", "Enter");
    let ended = false;
    const finished = page.waitForSelector(`${answerSelector}[data-status]`, { timeout: timeoutMs }).finally(() => {
      ended = true;
    });
    await page.waitForSelector(`${answerSelector}.live`, { timeout: 30_000 });
    const keys = await typeUntil(page, () => ended);
    await finished;
    if (tracePath) await browser.stopTracing();
    const status = await page.getAttribute(`${answerSelector}:last-child`, "data-status");
    if (status !== "complete") throw new Error(`${benchCase.name}: the answer ended ${status}`);
    const record = await page.evaluate(() => (window as unknown as { benchRecord: PageRecord }).benchRecord);
    return figuresOf(record, keys);
  } finally {
    await context.close();
  }
}

/** What the machine alone costs a page: long tasks and stalls of a page that does almost nothing. */
export interface MachineNoise {
  longTaskSharePercent: number;
  worstStallMs: number;
  /** Frames that came more than 50 ms after the one before. */
  stallsOver50Ms: number;
}

export interface NoiseProbe {
  /** Ends the control page; what it saw. */
  stop(): Promise<MachineNoise>;
}

/**
 * Starts a control page beside the measured one, in its own context (its own renderer process): a
 * frame loop with half a millisecond of work per frame. Its long tasks and stalls are the
 * machine's (other processes taking the cores), not the measured page's, and they happen at the
 * same time as the measured run.
 */
export async function startNoiseProbe(browser: Browser): Promise<NoiseProbe> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.evaluate(() => {
    const state = { longTasks: 0, worst: 0, stalls: 0, started: performance.now(), stopped: false };
    (window as unknown as { noise: typeof state }).noise = state;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) state.longTasks += entry.duration;
    }).observe({ type: "longtask" });
    let last = state.started;
    const frame = (now: number) => {
      state.worst = Math.max(state.worst, now - last);
      if (now - last > 50) state.stalls++;
      last = now;
      const busyUntil = performance.now() + 0.5;
      while (performance.now() < busyUntil) {
        // Work standing in for a cheap frame.
      }
      if (!state.stopped) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  return {
    async stop() {
      const noise = await page.evaluate(() => {
        const state = (
          window as unknown as {
            noise: { longTasks: number; worst: number; stalls: number; started: number; stopped: boolean };
          }
        ).noise;
        state.stopped = true;
        const round = (value: number) => Math.round(value * 10) / 10;
        const seconds = (performance.now() - state.started) / 1000;
        return {
          longTaskSharePercent: round((state.longTasks / (seconds * 1000)) * 100),
          worstStallMs: round(state.worst),
          stallsOver50Ms: state.stalls,
        };
      });
      await context.close();
      return noise;
    },
  };
}
