/**
 * When each token of a script is due: the first after `ttftMs`, then one every `intervalMs`,
 * with a `stall` fault's silence inserted after its token. Times are absolute
 * (performance.now() based), so a late timer catches up instead of drifting.
 */
import type { Script } from "./script.ts";

export interface Pacing {
  /** When token `index` is due; `index === tokenCount` is the closing chunk. */
  dueAt(index: number): number;
  /** Where a `drop` or `malformed` fault strikes (after that many tokens), or -1. */
  breakAfter: number;
  /** When it strikes: in place of the next token, one interval after the last one sent. */
  breakAt: number;
}

/** The timetable of `script` for a request that started at `startedAt`. */
export function createPacing(script: Script, startedAt: number): Pacing {
  const { tokenCount, fault, ttftMs, intervalMs } = script;
  // A fault asked for past the end still happens, just before the end, so it is never lost.
  const stallAfter = fault?.kind === "stall" ? Math.min(fault.after, tokenCount) : Number.POSITIVE_INFINITY;
  const stallMs = fault?.kind === "stall" ? fault.ms : 0;
  const breaks = fault?.kind === "drop" || fault?.kind === "malformed";
  const breakAfter = breaks ? Math.min(fault.after, tokenCount) : -1;
  const at = (slot: number, index: number) =>
    startedAt + ttftMs + slot * intervalMs + (index >= stallAfter ? stallMs : 0);
  return {
    // The closing chunk goes with the last token, unless a stall falls between them.
    dueAt: (index) => at(Math.max(0, Math.min(index, tokenCount - 1)), index),
    breakAfter,
    breakAt: at(breakAfter, breakAfter),
  };
}
