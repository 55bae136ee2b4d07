/**
 * The message column: the branch shown (the part of it loaded), the welcome text when there is
 * none, and scrolling that follows new text unless the reader has scrolled up to read. Cards are
 * kept by message id while the conversation is open, so a branch shown again is put back, not
 * rendered again; only what changed between two branches is touched.
 */

import type { KnownMessage } from "./branch-tree.ts";
import { byId, isNearBottom } from "./dom.ts";
import { keepInPlace, LazyMarkdown } from "./lazy-markdown.ts";
import { type CardSource, MessageCard, signatureOf } from "./message-card.ts";

export class ThreadView {
  readonly scroller = byId("messages");
  readonly #thread = byId("thread");
  readonly #welcome = byId("welcome");
  readonly #cards = new Map<string, MessageCard>();
  readonly #source: CardSource;
  #stick = true;

  constructor(source: Omit<CardSource, "lazy">) {
    this.#source = { ...source, lazy: new LazyMarkdown(this.scroller, () => this.follow()) };
    this.scroller.addEventListener("scroll", () => {
      this.#stick = isNearBottom(this.scroller);
    });
    // Whatever makes the messages taller after they are shown (an answer rendered as it comes into
    // view, a message laid out once it is on screen, an image loaded): the end stays in view, if
    // it was. A resize is observed after layout and before paint, so the view never shows the jump.
    new ResizeObserver(() => this.follow()).observe(this.#thread);
  }

  /** Forgets every card (another conversation opens). */
  clear(): void {
    this.#cards.clear();
    this.#source.lazy.clear();
    this.#thread.replaceChildren();
  }

  /** The card of `message`, made now unless one for its current state is kept. */
  card(message: KnownMessage): MessageCard {
    const kept = this.#cards.get(message.id);
    if (kept && kept.signature === signatureOf(message)) return kept;
    const card = MessageCard.build(message, this.#source);
    this.#cards.set(message.id, card);
    return card;
  }

  /** Keeps `card` (a live answer's parts, now stored) as its message's card. */
  keep(card: MessageCard): void {
    this.#cards.set(card.message.id, card);
  }

  cardOf(id: string): MessageCard | undefined {
    return this.#cards.get(id);
  }

  /** Shows `elements` in order (the branch's cards, then a live answer), changing only what differs. */
  show(elements: readonly HTMLElement[]): void {
    const shown = this.#thread.children;
    let same = 0;
    while (same < elements.length && shown[same] === elements[same]) same++;
    while (shown.length > same) shown[shown.length - 1]?.remove();
    this.#thread.append(...elements.slice(same));
    this.#welcome.hidden = elements.length > 0;
  }

  /** Adds `elements` (older messages) above the shown ones; what is in view stays where it is. */
  prepend(elements: readonly HTMLElement[]): void {
    const first = this.#thread.firstElementChild;
    if (!first) this.show(elements);
    else keepInPlace(this.scroller, first, "top", () => first.before(...elements));
  }

  /** Renders the waiting answers in view (after a conversation opens or a branch is shown), following the end if it was. */
  renderInView(): void {
    this.#source.lazy.renderInView();
  }

  /** Scrolls `id`'s message to the middle of the view and marks it for a moment (a search hit). */
  reveal(id: string): void {
    const card = this.#cards.get(id);
    if (!card?.element.isConnected) return;
    this.#stick = false;
    card.element.scrollIntoView({ block: "center" });
    this.#source.lazy.renderInView();
    card.element.scrollIntoView({ block: "center" });
    card.element.classList.add("found");
    setTimeout(() => card.element.classList.remove("found"), 2_500);
  }

  /** Where `id`'s message is, from the top of the view (to keep it there across a change). */
  offsetOf(id: string): number | undefined {
    const element = this.#cards.get(id)?.element;
    if (!element?.isConnected) return undefined;
    return element.getBoundingClientRect().top - this.scroller.getBoundingClientRect().top;
  }

  /** Scrolls so that `id`'s message is `offset` from the top of the view again. */
  restoreOffset(id: string, offset: number): void {
    const now = this.offsetOf(id);
    if (now !== undefined) this.scroller.scrollTop += now - offset;
    this.#stick = isNearBottom(this.scroller);
  }

  scrollToEnd(): void {
    this.#stick = true;
    this.follow();
  }

  /** Keeps the end in view as text grows, unless the reader scrolled away from it. */
  follow(): void {
    if (this.#stick) this.scroller.scrollTop = this.scroller.scrollHeight;
  }
}
