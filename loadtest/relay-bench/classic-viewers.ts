/**
 * Viewers of the one-shot route every compared server has: `GET /chat?q=`, read to `event: done`
 * with the load tools' SSE reader. Content tokens are the default `message` events, so Sluice's
 * classic dialect and the peer's generator are read, timed and counted the same way.
 */
import { readEvents } from "../../harness/client/sse-reader.ts";
import { trackOpenStream } from "../lib/stream-metrics.ts";

/** One `GET /chat?q=`, timed from just before the request. */
export class ClassicViewer {
  ttftMs: number | undefined;
  tokens = 0;
  /** "done", or `error:<code>` for an `error` event. */
  outcome: string | undefined;
  failure: string | undefined;

  async run(serverUrl: string, question: string, signal: AbortSignal): Promise<void> {
    const sentAt = performance.now();
    let closed: (() => void) | undefined;
    try {
      const response = await fetch(`${serverUrl}/chat?q=${encodeURIComponent(question)}`, { signal });
      if (response.status !== 200 || !response.body) throw new Error(`GET /chat: status ${response.status}`);
      closed = trackOpenStream();
      await readEvents(response.body, {
        onEvent: (event) => {
          // No `event:` field: the default `message` event, a content token.
          if (event.event === undefined) {
            if (this.tokens++ === 0) this.ttftMs = event.at - sentAt;
            return true;
          }
          if (event.event === "done") this.outcome = "done";
          else if (event.event === "error") this.outcome = `error:${JSON.parse(event.data).code}`;
          return event.event !== "done" && event.event !== "error";
        },
      });
      if (this.outcome === undefined) throw new Error("the stream closed without done or error");
    } catch (error) {
      this.failure = String(error);
    } finally {
      closed?.();
    }
  }

  get failed(): boolean {
    return this.failure !== undefined || this.outcome !== "done";
  }
}

/** Starts `count` viewers at once; `finished` settles when all have ended (none rejects). */
export function runClassicViewers(
  serverUrl: string,
  count: number,
  question: (index: number) => string,
  timeoutMs: number,
) {
  const signal = AbortSignal.timeout(timeoutMs);
  const viewers = Array.from({ length: count }, () => new ClassicViewer());
  const finished = Promise.all(viewers.map((viewer, index) => viewer.run(serverUrl, question(index), signal)));
  return { viewers, finished };
}
