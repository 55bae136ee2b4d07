/**
 * A message on the page with what it knows of itself: its parts (message-view.ts), the stored
 * message they show, and its controls (message-controls.ts), set again as its place changes. A
 * card is kept while its conversation is open, so showing its branch again costs no rendering.
 */
import type { KnownMessage } from "./branch-tree.ts";
import type { LazyMarkdown } from "./lazy-markdown.ts";
import { completeCutQuestion } from "./long-text.ts";
import { ControlSlots, type MessageControls } from "./message-controls.ts";
import {
  type MessageParts,
  problemOf,
  renderContent,
  type ShownImage,
  showProblem,
  storedMeta,
  storedParts,
} from "./message-view.ts";

/** What changes a stored message's look: a card made for an older state is made again. */
export const signatureOf = (message: KnownMessage) =>
  [
    message.status,
    message.content.length,
    message.full_bytes ?? "",
    message.figures?.finish_reason ?? "",
    message.figures?.total_ms ?? "",
    message.images?.length ?? 0,
  ].join("|");

/** What a card needs besides its message. */
export interface CardSource {
  lazy: LazyMarkdown;
  /** The images to show with a question. */
  imagesOf(message: KnownMessage): ShownImage[];
  /** The whole text of a message a read cut. */
  whole(message: KnownMessage): Promise<string>;
}

export interface CardControls extends MessageControls {
  /** A failed answer: ask again in its place. */
  retry?: (() => void) | undefined;
}

export class MessageCard {
  readonly parts: MessageParts;
  readonly message: KnownMessage;
  readonly signature: string;
  readonly #slots: ControlSlots;

  constructor(parts: MessageParts, message: KnownMessage) {
    this.parts = parts;
    this.message = message;
    this.signature = signatureOf(message);
    this.#slots = new ControlSlots(parts, message.role);
    parts.article.dataset.messageId = message.id;
  }

  /** A card for a stored message; an answer's Markdown is rendered lazily (lazy-markdown.ts). */
  static build(message: KnownMessage, source: CardSource): MessageCard {
    const long = {
      text: message.content,
      fullBytes: message.full_bytes,
      whole: () => source.whole(message),
      shown: (text: string) => {
        parts.source.text = text;
      },
    };
    const parts = storedParts(message, source.imagesOf(message), (parts, role, text) => {
      if (role !== "assistant") renderContent(parts, role, text);
      else source.lazy.render(parts, long);
    });
    if (message.role === "user" && message.full_bytes !== undefined) completeCutQuestion(parts.content, long);
    return new MessageCard(parts, message);
  }

  /** Shows the stored figures (a continued answer's add up all its parts; the stream showed the last one's). */
  showStoredFigures(): void {
    this.parts.meta.textContent = storedMeta(this.message);
    this.parts.meta.hidden = this.parts.meta.textContent === "";
    this.parts.article.dataset.status = this.message.status;
  }

  get element(): HTMLElement {
    return this.parts.article;
  }

  /** Shows `controls` (and Retry in a failed answer's problem) in place of the earlier ones. */
  setControls(controls: CardControls): void {
    if (this.message.status === "error" || this.message.status === "interrupted")
      showProblem(this.parts, problemOf(this.message, controls.retry));
    this.#slots.set(controls);
  }

  focusStep(step: -1 | 1): void {
    this.#slots.focusStep(step);
  }
}
