/**
 * Stored answers rendered when they come near the screen, not all when a conversation opens: a
 * long conversation's Markdown (and its code's highlighting) would hold the page for seconds. An
 * answer waits as its plain text (about as tall, and found by the browser's Find) until it is
 * within a screen or so of the view; then it is rendered, one answer per task, the lowest first,
 * so the page answers input between two of them. A very long one shows its start (long-text.ts).
 * An answer rendered above the view leaves what is in view where it is.
 */
import { FOLD_OVER, foldLongAnswer, type LongText } from "./long-text.ts";
import { renderMarkdown } from "./markdown.ts";
import type { MessageParts } from "./message-view.ts";

/** Shorter answers (in characters) are rendered at once: their Markdown costs less than waiting. */
const LAZY_OVER = 3_000;
/** Answers in view are rendered at once up to about this long (ms); the rest in the next tasks. */
const IN_VIEW_BUDGET_MS = 25;
// How far beyond the view an answer starts to render: a fast scroll seldom reaches plain text.
const NEAR = "1500px 0px";

interface Waiting {
  parts: MessageParts;
  long: LongText;
}

export class LazyMarkdown {
  readonly #scroller: HTMLElement;
  readonly #observer: IntersectionObserver;
  readonly #waiting = new Map<Element, Waiting>();
  /** Near the view, to render in this order (lowest first). */
  #due: Element[] = [];
  #scheduled = false;
  readonly #rendered: () => void;

  /** `rendered` runs after each answer rendered (to keep the view at the end, if it was there). */
  constructor(scroller: HTMLElement, rendered: () => void) {
    this.#scroller = scroller;
    this.#rendered = rendered;
    this.#observer = new IntersectionObserver((entries) => this.#near(entries), { root: scroller, rootMargin: NEAR });
  }

  /** Puts `long.text` (a stored answer) into `parts.content`: now when short, else when near the view. */
  render(parts: MessageParts, long: LongText): void {
    parts.source.text = long.text;
    if (long.text.length <= LAZY_OVER && long.fullBytes === undefined) {
      parts.content.replaceChildren(renderMarkdown(long.text));
      return;
    }
    parts.content.textContent = long.text;
    parts.content.classList.add("pending");
    this.#waiting.set(parts.content, { parts, long });
    this.#observer.observe(parts.content);
  }

  /**
   * Renders now the waiting answers in view, from the lowest up (the end of a conversation just
   * opened), at least one, then while the time allows. Those left are near the view: the next
   * tasks render them.
   */
  renderInView(): void {
    const started = performance.now();
    const waiting = [...this.#waiting.keys()].filter((element) => element.isConnected);
    for (const element of waiting.reverse()) {
      const view = this.#scroller.getBoundingClientRect();
      const box = element.getBoundingClientRect();
      if (box.bottom < view.top) break;
      if (box.top > view.bottom) continue;
      this.#renderNow(element);
      if (performance.now() - started > IN_VIEW_BUDGET_MS) break;
    }
  }

  /** Stops waiting for every answer (another conversation opens). */
  clear(): void {
    this.#observer.disconnect();
    this.#waiting.clear();
    this.#due = [];
  }

  #near(entries: IntersectionObserverEntry[]): void {
    const near = entries.filter((entry) => entry.isIntersecting).map((entry) => entry.target);
    if (near.length === 0) return;
    const due = new Set([...this.#due, ...near]);
    // Document order, lowest last: popped first.
    this.#due = [...due].sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.#due.length === 0) return;
    this.#scheduled = true;
    setTimeout(() => {
      this.#scheduled = false;
      const next = this.#due.pop();
      if (next) this.#renderNow(next);
      this.#schedule();
    }, 0);
  }

  #renderNow(element: Element): void {
    const waiting = this.#waiting.get(element);
    this.#observer.unobserve(element);
    this.#waiting.delete(element);
    if (!waiting || !element.isConnected) {
      if (waiting) this.render(waiting.parts, waiting.long);
      return;
    }
    const { parts, long } = waiting;
    const render = () => {
      parts.content.classList.remove("pending");
      if (long.text.length > FOLD_OVER || long.fullBytes !== undefined) foldLongAnswer(parts.content, long);
      else parts.content.replaceChildren(renderMarkdown(long.text));
    };
    // Starting above the view: what follows it (what is in view) stays still as it grows.
    const above = parts.article.getBoundingClientRect().top < this.#scroller.getBoundingClientRect().top;
    if (above) keepInPlace(this.#scroller, parts.article, "bottom", render);
    else render();
    this.#rendered();
  }
}

/**
 * Runs `change`, then scrolls by as much as `element`'s `edge` moved, so what is in view stays
 * where it is: the top of the first message when older ones go above it, the bottom of a message
 * above the view that grew.
 */
export function keepInPlace(scroller: HTMLElement, element: Element, edge: "top" | "bottom", change: () => void): void {
  const before = element.getBoundingClientRect()[edge];
  change();
  const moved = element.getBoundingClientRect()[edge] - before;
  if (moved !== 0) scroller.scrollTop += moved;
}
