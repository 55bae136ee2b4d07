/** How numbers read on the page. */

/** "212 ms" below a second, "1.4 s" above. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** "31.2 tok/s". */
export function formatRate(tokensPerSecond: number): string {
  return `${tokensPerSecond.toFixed(tokensPerSecond < 100 ? 1 : 0)} tok/s`;
}

/** Tokens per second between the first token and the last: TTFT is reported on its own. */
export function tokenRate(tokens: number, firstTokenAt: number, lastTokenAt: number): number | undefined {
  const seconds = (lastTokenAt - firstTokenAt) / 1000;
  return tokens > 1 && seconds > 0 ? (tokens - 1) / seconds : undefined;
}
