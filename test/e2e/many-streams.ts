/**
 * Opens COUNT chats at once through BASE_URL and reads every stream to its end; prints one JSON
 * summary line. A process of its own because Bun's fetch runs at most 256 requests at once unless
 * its cap is raised before the process starts (concurrency.test.ts starts it with harness/stack/fetch-cap.ts).
 *
 *   bun test/e2e/many-streams.ts BASE_URL COUNT TOKENS TPS
 */
import { startChat } from "../../harness/client/chat.ts";
import { paced } from "../../harness/client/sim-prompt.ts";
import { readStream } from "../../harness/client/stream.ts";

export interface ManyStreamsSummary {
  count: number;
  completed: number;
  /** The most streams open at the same moment, as the client saw them. */
  peakOpen: number;
  wallMs: number;
  failures: string[];
}

interface Outcome {
  openedAt: number;
  closedAt: number;
  failure?: string;
}

async function oneStream(baseUrl: string, tokens: number, tps: number, index: number): Promise<Outcome> {
  const openedAt = performance.now();
  try {
    const streamUrl = (await startChat(baseUrl, paced(tokens, tps, `Stream number ${index}`))).url;
    const stream = await readStream(streamUrl, { timeoutMs: 60_000 });
    const received = stream.events.filter((event) => event.event === "token").length;
    const last = stream.events.at(-1);
    const ok = stream.status === 200 && stream.ended === "eof" && received === tokens && last?.event === "done";
    const failure = ok
      ? undefined
      : `#${index}: ${stream.status} ${stream.ended} ${received} tokens, ${last?.event} ${stream.error ?? ""}`;
    return { openedAt, closedAt: performance.now(), failure };
  } catch (error) {
    return { openedAt, closedAt: performance.now(), failure: `#${index}: ${String(error)}` };
  }
}

/** The largest number of [openedAt, closedAt] intervals that overlap. */
function peakOverlap(outcomes: Outcome[]): number {
  const edges = outcomes.flatMap((outcome) => [
    [outcome.openedAt, 1],
    [outcome.closedAt, -1],
  ]);
  edges.sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
  let open = 0;
  let peak = 0;
  for (const [, step] of edges) {
    open += step as number;
    peak = Math.max(peak, open);
  }
  return peak;
}

if (import.meta.main) {
  const [baseUrl = "", count = "500", tokens = "20", tps = "5"] = process.argv.slice(2);
  const started = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: Number(count) }, (_, index) => oneStream(baseUrl, Number(tokens), Number(tps), index)),
  );
  const failures = outcomes.flatMap((outcome) => (outcome.failure ? [outcome.failure] : []));
  const summary: ManyStreamsSummary = {
    count: outcomes.length,
    completed: outcomes.length - failures.length,
    peakOpen: peakOverlap(outcomes),
    wallMs: Math.round(performance.now() - started),
    failures: failures.slice(0, 10),
  };
  console.log(JSON.stringify(summary));
}
