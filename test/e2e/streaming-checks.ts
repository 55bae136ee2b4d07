/**
 * The two streaming checks, as verdicts rather than assertions, so that a test can also show that
 * they fail where they should: against the negative-control nginx.
 */
import type { ReceivedEvent } from "../../harness/client/stream.ts";

export interface Verdict {
  ok: boolean;
  /** What was measured, for the failure message and the report. */
  detail: string;
}

export interface Pacing {
  tokens: number;
  tps: number;
}

const interval = (pacing: Pacing) => 1_000 / pacing.tps;

/**
 * Streaming, not buffering: the tokens arrive spread out as the simulator paces them. A proxy that
 * buffers delivers them together at the end, however long the model took.
 */
export function checkStreaming(tokens: ReceivedEvent[], pacing: Pacing): Verdict {
  const first = tokens[0];
  const last = tokens.at(-1);
  if (!first || !last || tokens.length !== pacing.tokens) {
    return { ok: false, detail: `expected ${pacing.tokens} tokens, got ${tokens.length}` };
  }
  const spreadMs = last.at - first.at;
  const pacedMs = (pacing.tokens - 1) * interval(pacing);
  const reads = new Set(tokens.map((token) => token.read)).size;
  // Generous: half the paced spread, and at least half as many reads as tokens.
  const ok = spreadMs >= pacedMs / 2 && reads >= pacing.tokens / 2;
  return {
    ok,
    detail: `first→last token ${spreadMs.toFixed(0)} ms (paced ${pacedMs.toFixed(0)} ms), ${tokens.length} tokens in ${reads} reads`,
  };
}

/**
 * Flush per token: at a slow rate each token comes in a read of its own, at the pace the model
 * sets: no token far behind its schedule, and the typical gap about one interval.
 */
export function checkFlushPerToken(tokens: ReceivedEvent[], pacing: Pacing): Verdict {
  const first = tokens[0];
  if (!first || tokens.length !== pacing.tokens) {
    return { ok: false, detail: `expected ${pacing.tokens} tokens, got ${tokens.length}` };
  }
  const step = interval(pacing);
  const reads = new Set(tokens.map((token) => token.read)).size;
  const gaps = tokens.slice(1).map((token, index) => token.at - (tokens[index] as ReceivedEvent).at);
  const medianGap = gaps.sort((a, b) => a - b)[Math.floor(gaps.length / 2)] ?? 0;
  const maxLag = Math.max(...tokens.map((token, index) => Math.abs(token.at - first.at - index * step)));
  // Bounds for a shared 2-core machine, where a client kept off the CPU for an interval reads two
  // tokens at once, and one token may come late and the next on time: three quarters of the tokens
  // in reads of their own, none more than two intervals off the schedule the first one set, the
  // median gap at least half an interval. A buffering proxy fails all three: one read, gaps of 0.
  const ok = reads >= tokens.length * 0.75 && maxLag <= 2 * step && medianGap >= step / 2;
  return {
    ok,
    detail: `${tokens.length} tokens in ${reads} reads, median gap ${medianGap.toFixed(0)} ms, largest lag ${maxLag.toFixed(0)} ms (interval ${step.toFixed(0)} ms)`,
  };
}
