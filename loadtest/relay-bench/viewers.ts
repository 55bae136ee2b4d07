/**
 * The relay bench's viewers: each one POST /api/chat + GET streamUrl, read to the end with the
 * load tools' chat-stream reader, keeping only what the figures need.
 */

import { simMessages } from "../../harness/client/sim-prompt.ts";
import { readChatStream, startChat } from "../lib/chat-stream.ts";

/** One chat, watched from before its POST to the stream's end. */
export class Viewer {
  streamId = "";
  ttftMs: number | undefined;
  /** The `done` event's finish_reason, or `error:<code>` for an `error` event. */
  outcome: string | undefined;
  /** Body reads; fewer than tokens when bytes coalesced (the app fell behind, or this process did). */
  reads = 0;
  failure: string | undefined;
  readonly firstToken = Promise.withResolvers<void>();

  /** POSTs to `appUrl` and reads the stream from `viewUrl` (another instance, or the same). */
  async run(appUrl: string, content: string, signal: AbortSignal, viewUrl = appUrl): Promise<void> {
    const sentAt = performance.now();
    try {
      const { streamId, streamUrl } = await startChat(appUrl, [{ role: "user", content }], signal);
      this.streamId = streamId;
      const reading = await readChatStream(`${viewUrl}${streamUrl}`, {
        signal,
        onRead: () => {
          this.reads++;
        },
        onToken: (token, count) => {
          if (count !== 1) return;
          this.ttftMs = token.at - sentAt;
          this.firstToken.resolve();
        },
      });
      if (reading.end === "done") this.outcome = reading.done?.finish_reason;
      else if (reading.end === "error") this.outcome = `error:${reading.error?.code}`;
      else throw new Error("the stream closed without done or error");
    } catch (error) {
      this.failure = String(error);
    } finally {
      this.firstToken.resolve();
    }
  }
}

/** The message that makes the simulator answer `tokens` tokens at `tps`, after `ttftMs`. */
export function relayPrompt(index: number, tokens: number, tps: number, ttftMs: number): string {
  const [message] = simMessages({ tokens, ttftMs, tps }, `Relay bench stream ${index}`);
  return message?.content ?? "";
}

/**
 * Starts `count` viewers at once; `finished` settles when all have ended (none rejects). With
 * `viewUrl`, the chats start on `appUrl` and are watched on `viewUrl`.
 */
export function runViewers(
  appUrl: string,
  count: number,
  content: (index: number) => string,
  timeoutMs: number,
  viewUrl = appUrl,
) {
  const signal = AbortSignal.timeout(timeoutMs);
  const viewers = Array.from({ length: count }, () => new Viewer());
  const finished = Promise.all(viewers.map((viewer, index) => viewer.run(appUrl, content(index), signal, viewUrl)));
  return { viewers, finished };
}
