/** Small DOM helpers: the page builds its elements from text, never from HTML strings. */

type Child = Node | string | null | undefined | false;

/** Creates `<tag>` with attributes (a `class` string, `hidden`, aria-*, …) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, "");
    else if (typeof value === "string") element.setAttribute(name, value);
  }
  for (const child of children) if (child) element.append(child);
  return element;
}

/** The element with `id`, which the page's HTML must contain. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`index.html lacks #${id}`);
  return element as T;
}

/** Whether `element` is scrolled (nearly) to its end, so new text should keep it there. */
export function isNearBottom(element: HTMLElement, slack = 48): boolean {
  return element.scrollHeight - element.scrollTop - element.clientHeight <= slack;
}

/** Focuses the first of `elements` that shows (a title-bar button, else the phone's menu button). */
export function focusShown(...elements: HTMLElement[]): void {
  elements.find((element) => element.checkVisibility())?.focus();
}
