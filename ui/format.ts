/** How numbers read on the page. */

/** "212 ms" below a second, "1.4 s" above. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** "840 bytes", "64 KB", "1.2 MB" (1,000 bytes a kilobyte, as the size of a text is said). */
export function formatBytes(bytes: number): string {
  if (bytes < 1_000) return `${bytes} bytes`;
  if (bytes < 1_000_000) return `${Math.round(bytes / 1_000)} KB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
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

/** What the server reports of a finished answer (its `done` event, or the stored answer's `figures`). */
export interface AnswerFigureValues {
  ttft_ms: number | null;
  total_ms: number;
  completion_tokens: number;
}

/**
 * The one definition of TTFT the page shows: the server's, from the start of its call to the model
 * to the model's first token (`timings.ttft_ms` of `done`, stored with the answer, and the
 * `sluice_ttft_seconds` metric). What the network and the page add is not in it.
 */
export const TTFT_MEANING = "TTFT: from Sluice calling the model to the model's first token, measured by the server";

/** "TTFT 212 ms · 42 tokens · 1.5 s · 31.2 tok/s": the line under a finished answer, live or reloaded. */
export function formatFigures({ ttft_ms, total_ms, completion_tokens }: AnswerFigureValues): string {
  const parts = [`${completion_tokens} tokens`, formatDuration(total_ms)];
  if (ttft_ms !== null) {
    parts.unshift(`TTFT ${formatDuration(ttft_ms)}`);
    const seconds = (total_ms - ttft_ms) / 1000;
    if (completion_tokens > 1 && seconds > 0) parts.push(formatRate((completion_tokens - 1) / seconds));
  }
  return parts.join(" · ");
}
