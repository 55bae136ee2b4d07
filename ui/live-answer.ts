/**
 * The answer being written right now: it renders the text as it grows (at most once per
 * animation frame), says how the connection is doing, and counts tokens and their rate.
 */
import { endingWords } from "./answer-ending.ts";
import type { Message } from "./api.ts";
import { humanError } from "./error-text.ts";
import { formatFigures, formatRate, tokenRate } from "./format.ts";
import { LiveStatus } from "./live-status.ts";
import { type MessageParts, messageParts, showProblem } from "./message-view.ts";
import { type DoneData, type StreamErrorData, type StreamState, type StreamWatch, watchStream } from "./stream.ts";
import { StreamingMarkdown } from "./streaming-markdown.ts";
import { ToolStepsView } from "./tool-steps.ts";

/** How a live answer ended, to be kept as a message. */
export interface AnswerEnd {
  status: Exclude<Message["status"], "interrupted">;
  text: string;
  error?: StreamErrorData;
  /** From the stream's `done` ("length": cut off at the output limit). */
  finishReason?: DoneData["finish_reason"];
}

export interface LiveAnswerOptions {
  /** performance.now() when this tab sent the question; absent when re-attaching to a running stream. */
  sentAt?: number | undefined;
  /** Continue: the answer's text so far; the stream carries only what follows it. */
  prefix?: string | undefined;
  /** Called after each render, e.g. to keep the view scrolled to the end. */
  rendered(): void;
  ended(end: AnswerEnd): void;
  /** The stream is gone (expired, or the server restarted): reload the conversation. */
  lost(): void;
}

/**
 * The User Timing name of one frame's render (Markdown, DOM and the layout that follows); its
 * detail says how many characters were rendered, of how long a text.
 */
export const RENDER_MEASURE = "sluice-render";

const stateText: Record<StreamState | "sending", string> = {
  sending: "Sending…",
  connecting: "Connecting…",
  open: "Waiting for the first token…",
  reconnecting: "Connection lost. Reconnecting…",
};

export class LiveAnswer {
  readonly parts: MessageParts = messageParts("assistant");
  streamId: string | undefined;
  /** Set when this page asked for Stop: only then does the answer say "Stopped". */
  stopRequested = false;
  readonly #markdown = new StreamingMarkdown(this.parts.content);
  readonly #steps = new ToolStepsView();
  readonly #status = new LiveStatus(this.parts.meta);
  #text = "";
  #tokens = 0;
  #firstTokenAt: number | undefined;
  #lastTokenAt = 0;
  #state: StreamState | "sending" = "sending";
  #frame = 0;
  #watch: StreamWatch | undefined;
  readonly #options: LiveAnswerOptions;

  constructor(options: LiveAnswerOptions) {
    this.#options = options;
    this.#text = options.prefix ?? "";
    const { article, content } = this.parts;
    article.classList.add("live");
    // Polite: the finished text is read when aria-busy drops, not every token as it lands.
    content.setAttribute("aria-live", "polite");
    content.setAttribute("aria-busy", "true");
    content.before(this.#steps.element);
    this.#render();
  }

  get text(): string {
    return this.#text;
  }

  /** Starts watching `streamUrl`; the stream replays from its start, so the text starts empty (or at the prefix it continues). */
  attach(streamId: string, streamUrl: string): void {
    this.streamId = streamId;
    this.#watch = watchStream(streamUrl, {
      token: (text) => this.#token(text),
      step: (event) => {
        this.#steps.apply(event);
        this.#options.rendered();
      },
      state: (state) => this.#setState(state),
      done: (data) => this.#done(data),
      failed: (error) => this.#finish({ status: "error", text: this.#text, error }, ""),
      lost: () => {
        this.#stopRendering();
        this.#options.lost();
      },
    });
  }

  /** The question could not even be sent. */
  failToSend(error: StreamErrorData, retry: (() => void) | undefined): void {
    this.#stopRendering();
    this.parts.article.classList.remove("live");
    this.parts.content.setAttribute("aria-busy", "false");
    this.parts.meta.hidden = true;
    showProblem(this.parts, { title: "Not sent.", detail: humanError(error), code: error.code, retry });
  }

  /** Stops watching (the generation goes on on the server; another visit re-attaches). */
  detach(): void {
    this.#watch?.close();
    this.#stopRendering();
  }

  /** Ends the answer here without the server's word (Stop sent, but no `done` came back). */
  abandon(status: "cancelled"): void {
    this.#finish({ status, text: this.#text }, "Stopped");
  }

  #token(text: string): void {
    const now = performance.now();
    this.#firstTokenAt ??= now;
    this.#lastTokenAt = now;
    this.#tokens++;
    this.#text += text;
    this.#state = "open";
    this.#schedule();
  }

  #setState(state: StreamState): void {
    // "open" after a reconnect means the text is flowing again, not that we wait for a first token.
    this.#state = state;
    this.#schedule();
  }

  #done(data: DoneData): void {
    const status = data.finish_reason === "cancelled" ? "cancelled" : "complete";
    const figures = summary(data);
    // Cancelled without this page's Stop: another tab's Stop, or the server ending it.
    const cancelled = this.stopRequested ? "Stopped" : "Cancelled";
    const ending = status === "cancelled" ? cancelled : endingWords(status, data.finish_reason);
    this.#finish(
      { status, text: this.#text, finishReason: data.finish_reason },
      ending ? `${ending} · ${figures}` : figures,
    );
  }

  #finish(end: AnswerEnd, meta: string): void {
    this.#watch?.close();
    this.#stopRendering();
    this.#steps.settle();
    const { article, content } = this.parts;
    this.#markdown.finish(this.#text);
    this.parts.source.text = this.#text;
    performance.clearMeasures(RENDER_MEASURE);
    article.classList.remove("live");
    article.dataset.status = end.status;
    delete article.dataset.state;
    content.setAttribute("aria-busy", "false");
    this.parts.meta.textContent = meta;
    this.parts.meta.hidden = meta === "";
    this.#options.rendered();
    this.#options.ended(end);
  }

  #schedule(): void {
    // requestAnimationFrame: however fast tokens arrive, Markdown is parsed once per frame at most.
    if (!this.#frame) this.#frame = requestAnimationFrame(() => this.#render());
  }

  #stopRendering(): void {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#status.stop();
  }

  #render(): void {
    this.#frame = 0;
    const started = performance.now();
    const characters = this.#markdown.update(this.#text);
    this.parts.source.text = this.#text;
    // Written on a change only: the stylesheet matches on it.
    if (this.parts.article.dataset.state !== this.#state) this.parts.article.dataset.state = this.#state;
    this.#status.show(`${this.#state}:${this.#firstTokenAt !== undefined}`, this.#liveStatus());
    // rendered() reads the scroll height, so the measure includes the layout of the new text.
    this.#options.rendered();
    performance.measure(RENDER_MEASURE, { start: started, detail: { characters, length: this.#text.length } });
    // A burst too large for one frame goes on in the next ones.
    if (this.#markdown.behind) this.#schedule();
  }

  /**
   * While it streams: the tokens so far and their rate. TTFT is the server's figure (format.ts),
   * known once the answer ends; a page-measured one here would be a second, different figure.
   */
  #liveStatus(): string {
    if (this.#state === "reconnecting" || this.#firstTokenAt === undefined) return stateText[this.#state];
    const parts = [`${this.#tokens} tokens`];
    // A rate only for a question this tab sent: a re-attached stream replays in a burst.
    if (this.#options.sentAt !== undefined) {
      const rate = tokenRate(this.#tokens, this.#firstTokenAt, this.#lastTokenAt);
      if (rate !== undefined) parts.push(formatRate(rate));
    }
    return `Streaming · ${parts.join(" · ")}`;
  }
}

/** The server's own figures for a finished answer, as a reload shows them from the stored answer. */
function summary({ usage, timings }: DoneData): string {
  return formatFigures({ ...timings, completion_tokens: usage.completion_tokens });
}
