/**
 * What the bench reads inside the page, with the browser's own instruments: each frame's render
 * (the page's `sluice-render` User Timing measure: Markdown, DOM and the layout it forces), long
 * tasks (Long Tasks API: over 50 ms), input delay (Event Timing: from the key press to the start
 * of its handlers) and animation frames (requestAnimationFrame callbacks).
 */

export interface PageRecord {
  /** Each frame's render: when it started, how long it took (ms), and the answer's length then. */
  renders: { start: number; duration: number; length: number }[];
  longTasks: { start: number; duration: number }[];
  /** Key and input events that took 16 ms or more (the API's floor): their delay, ms. */
  inputs: { start: number; name: string; delay: number; interaction: number }[];
  /** Start times of the animation frames. */
  frames: number[];
}

/** Installed before the page's own script (page.addInitScript): records into `window.benchRecord`. */
export function installProbe(): void {
  const record: PageRecord = { renders: [], longTasks: [], inputs: [], frames: [] };
  (window as unknown as { benchRecord: PageRecord }).benchRecord = record;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.name !== "sluice-render") continue;
      const { length } = (entry as PerformanceMeasure).detail as { length: number };
      record.renders.push({ start: entry.startTime, duration: entry.duration, length });
    }
  }).observe({ type: "measure" });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) record.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: "longtask" });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as PerformanceEventTiming[]) {
      const delay = entry.processingStart - entry.startTime;
      record.inputs.push({ start: entry.startTime, name: entry.name, delay, interaction: entry.interactionId });
    }
  }).observe({ type: "event", durationThreshold: 16 } as PerformanceObserverInit);
  const tick = (time: number) => {
    record.frames.push(time);
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}

export interface CaseFigures {
  /** From the first render with text to the last render, s. */
  streamSeconds: number;
  renderedFrames: number;
  renderP50Ms: number;
  renderP95Ms: number;
  renderMaxMs: number;
  /** Share of the stream's time spent in tasks over 50 ms, %. */
  longTaskSharePercent: number;
  longestTaskMs: number;
  /** The worst delay of a key press while typing during the stream (under 16 ms is not reported: 0). */
  worstInputDelayMs: number;
  /** Key presses with an event delayed more than 50 ms. */
  keysDelayedOver50Ms: number;
  keyPresses: number;
  framesPerSecond: number;
}
