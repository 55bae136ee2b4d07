/**
 * The one answer a page shows being written at a time: it starts one (for a question this page
 * sends, or a running one it re-attaches to), stops it, lets it go when another conversation
 * opens, and reports how it ended.
 */

import { api } from "./api.ts";
import { type AnswerEnd, LiveAnswer } from "./live-answer.ts";

// If Stop's `done` never arrives (the server is gone), the page stops waiting after this long.
const STOP_WAIT_MS = 5_000;

export interface AnswerSlotEvents {
  /** `live` is being written now: show it where its branch is. */
  started(live: LiveAnswer): void;
  /** Rendered more text (e.g. keep the view at its end). */
  rendered(): void;
  ended(live: LiveAnswer, end: AnswerEnd): void;
  /** The stream is gone (expired, or the server restarted): the conversation must be read again. */
  lost(live: LiveAnswer): void;
  /** Whether an answer is being written changed. */
  busyChanged(busy: boolean): void;
}

export class AnswerSlot {
  readonly #events: AnswerSlotEvents;
  #live: LiveAnswer | undefined;
  /** Stop was pressed before the server named the stream: stop it as soon as it does. */
  #stopPending = false;

  constructor(events: AnswerSlotEvents) {
    this.#events = events;
  }

  /** The answer being written, if any. */
  get live(): LiveAnswer | undefined {
    return this.#live;
  }

  /**
   * Starts an answer; `sentAt` (performance.now()) when this page sent its question, `prefix` the
   * text of the answer a Continue extends.
   */
  start(sentAt: number | undefined, prefix?: string): LiveAnswer {
    this.#stopPending = false;
    const live: LiveAnswer = new LiveAnswer({
      sentAt,
      prefix,
      rendered: () => this.#events.rendered(),
      ended: (end) => {
        if (this.#live !== live) return;
        this.#set(undefined);
        this.#events.ended(live, end);
      },
      lost: () => {
        if (this.#live !== live) return;
        this.#set(undefined);
        this.#events.lost(live);
      },
    });
    this.#set(live);
    this.#events.started(live);
    return live;
  }

  /** Watches stream `streamId` of the answer being written (Stop pressed meanwhile applies now). */
  attach(live: LiveAnswer, streamId: string, streamUrl: string): void {
    live.attach(streamId, streamUrl);
    if (this.#stopPending) this.stop();
  }

  /** Stops the answer being written: the server cancels the model call and ends the stream. */
  stop(): void {
    const live = this.#live;
    if (!live) return;
    live.stopRequested = true;
    if (!live.streamId) {
      this.#stopPending = true;
      return;
    }
    api.stopStream(live.streamId).catch(() => {});
    setTimeout(() => {
      if (this.#live === live) live.abandon("cancelled");
    }, STOP_WAIT_MS);
  }

  /** Stops showing `live` (or any answer) here; the answer itself goes on on the server. */
  release(live: LiveAnswer | undefined = this.#live): void {
    if (!live || live !== this.#live) return;
    live.detach();
    this.#set(undefined);
  }

  #set(live: LiveAnswer | undefined): void {
    this.#live = live;
    this.#events.busyChanged(live !== undefined);
  }
}
