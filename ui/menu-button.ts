/**
 * A menu button (WAI-ARIA Authoring Practices, "Menu Button"): Enter, Space or ArrowDown opens
 * it on its first item, ArrowUp on its last; inside, the arrows, Home and End move between the
 * items, Esc closes it and returns to the button, and Tab, a click elsewhere or focus leaving it
 * close it. Choosing an item closes it.
 */

const ITEM = "[role=menuitem]";

export class MenuButton {
  readonly #button: HTMLButtonElement;
  readonly #menu: HTMLElement;

  constructor(button: HTMLButtonElement, menu: HTMLElement) {
    this.#button = button;
    this.#menu = menu;
    button.setAttribute("aria-haspopup", "menu");
    button.setAttribute("aria-expanded", "false");
    menu.setAttribute("role", "menu");
    button.addEventListener("click", () => this.#toggle());
    button.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      event.preventDefault();
      this.open(event.key === "ArrowUp" ? "last" : "first");
    });
    menu.addEventListener("keydown", (event) => this.#key(event));
    menu.addEventListener("click", (event) => {
      if ((event.target as Element).closest(ITEM)) this.close(false);
    });
    // Focus moving to anything but the menu and its button (Tab, another control) closes it; the
    // window losing focus does not (there is no next element then).
    for (const part of [button, menu]) {
      part.addEventListener("focusout", (event) => {
        const next = event.relatedTarget as Node | null;
        if (next && !menu.contains(next) && !button.contains(next)) this.close(false);
      });
    }
    document.addEventListener("pointerdown", (event) => {
      const target = event.target as Node;
      if (!menu.hidden && !menu.contains(target) && !button.contains(target)) this.close(false);
    });
  }

  get isOpen(): boolean {
    return !this.#menu.hidden;
  }

  /** Opens the menu with focus on its first or last item. */
  open(at: "first" | "last" = "first"): void {
    this.#menu.hidden = false;
    this.#button.setAttribute("aria-expanded", "true");
    const items = this.#items();
    (at === "first" ? items[0] : items.at(-1))?.focus();
  }

  /** Closes the menu; `returnFocus` puts focus back on its button. */
  close(returnFocus: boolean): void {
    if (this.#menu.hidden) return;
    this.#menu.hidden = true;
    this.#button.setAttribute("aria-expanded", "false");
    if (returnFocus) this.#button.focus();
  }

  #toggle(): void {
    if (this.isOpen) this.close(true);
    else this.open("first");
  }

  /** The items that show, in order; each takes focus only from the arrows (tabindex -1). */
  #items(): HTMLElement[] {
    const items = [...this.#menu.querySelectorAll<HTMLElement>(ITEM)].filter((item) => item.checkVisibility());
    for (const item of items) item.tabIndex = -1;
    return items;
  }

  #key(event: KeyboardEvent): void {
    const items = this.#items();
    const at = items.indexOf(document.activeElement as HTMLElement);
    const moves: Record<string, number> = {
      ArrowDown: (at + 1) % items.length,
      ArrowUp: (at - 1 + items.length) % items.length,
      Home: 0,
      End: items.length - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      items[moves[event.key] ?? 0]?.focus();
    } else if (event.key === "Escape") {
      event.preventDefault(); // closes the menu; does not stop an answer
      event.stopPropagation();
      this.close(true);
    } else if (event.key === "Tab") {
      this.close(false);
    }
  }
}
