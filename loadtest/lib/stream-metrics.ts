/**
 * The client-side latency metrics every streaming scenario reports, all in ms and all timed from
 * `start`, taken just before the first request of the exchange (for /api/chat: before the POST).
 */
import { Counter, Gauge, Rate, type Tags, Trend } from "./metrics.ts";

/** Response headers of the stream (fetch resolved): the server accepted and began the stream. */
export const ttfb = new Trend("sluice_ttfb");
/** First content token. */
export const ttft = new Trend("sluice_ttft");
/** Every gap between two consecutive content tokens. */
export const itl = new Trend("sluice_itl");
/** Last content token. */
export const e2el = new Trend("sluice_e2el");
/** Per request: (e2el − ttft) / (tokens − 1). */
export const tpot = new Trend("sluice_tpot");
/** Share of finished requests that met both the TTFT and the ITL target. */
export const goodput = new Rate("sluice_goodput");
/** Failed requests by `code` (see LoadError). */
export const errors = new Counter("sluice_errors");
/** Content tokens received. */
export const tokensReceived = new Counter("sluice_tokens");
/** Streams whose token count equals what the upstream was told to send, and the `usage` it reported. */
export const tokensComplete = new Rate("sluice_tokens_complete");
/** SSE connections open at once (max = the concurrency reached). */
export const streamsOpen = new Gauge("sluice_streams_open");

let open = 0;

/** SSE connections open right now. */
export function openStreamCount(): number {
  return open;
}

/** Counts one more open stream; returns the function that counts it closed (idempotent). */
export function trackOpenStream(): () => void {
  open += 1;
  streamsOpen.set(open);
  let closed = false;
  return () => {
    if (closed) return;
    closed = true;
    open -= 1;
    streamsOpen.set(open);
  };
}

/** The arrival times of one exchange. */
export interface Timeline {
  start: number;
  headersAt: number | undefined;
  /** performance.now() of each content token, in order. */
  tokenTimes: number[];
}

/** What counts as good service for `sluice_goodput`. */
export interface Targets {
  ttftMs: number;
  itlMs: number;
}

/** Records TTFB, TTFT, every ITL gap, E2EL, TPOT and goodput for one finished exchange. */
export function recordTimeline(timeline: Timeline, targets: Targets, tags?: Tags): void {
  const { start, headersAt, tokenTimes } = timeline;
  if (headersAt !== undefined) ttfb.add(headersAt - start, tags);
  const first = tokenTimes[0];
  const last = tokenTimes.at(-1);
  if (first === undefined || last === undefined) return;
  ttft.add(first - start, tags);
  e2el.add(last - start, tags);
  let worstGap = 0;
  for (let i = 1; i < tokenTimes.length; i++) {
    const gap = (tokenTimes[i] as number) - (tokenTimes[i - 1] as number);
    worstGap = Math.max(worstGap, gap);
    itl.add(gap, tags);
  }
  if (tokenTimes.length > 1) tpot.add((last - first) / (tokenTimes.length - 1), tags);
  goodput.add(first - start <= targets.ttftMs && worstGap <= targets.itlMs, tags);
}
