/**
 * The conversation list as one Tab stop (a roving tabindex): Tab enters it on the open
 * conversation (or the one last visited there), the arrows, Home and End move between
 * conversations, ArrowRight reaches an item's Delete button and ArrowLeft comes back, and the
 * Delete key asks to delete the conversation in focus.
 */

export interface ListKeyActions {
  /** The Delete key on the item of `link`. */
  remove(link: HTMLAnchorElement): void;
}

const LINKS = "a[data-id]";

/** Wires the keys of `list`; returns a function to call after its items change. */
export function rovingList(list: HTMLElement, actions: ListKeyActions): () => void {
  let current: string | undefined;
  const links = () => [...list.querySelectorAll<HTMLAnchorElement>(LINKS)];
  const settle = () => {
    const all = links();
    const chosen =
      all.find((link) => link.dataset.id === current) ??
      all.find((link) => link.getAttribute("aria-current") === "page") ??
      all[0];
    for (const link of all) link.tabIndex = link === chosen ? 0 : -1;
    for (const button of list.querySelectorAll<HTMLButtonElement>("button")) button.tabIndex = -1;
  };
  const focus = (link: HTMLAnchorElement | undefined) => {
    if (!link) return;
    current = link.dataset.id;
    settle();
    link.focus();
  };
  list.addEventListener("focusin", (event) => {
    const link = (event.target as Element).closest<HTMLAnchorElement>(LINKS);
    if (link && link.dataset.id !== current) {
      current = link.dataset.id;
      settle();
    }
  });
  list.addEventListener("keydown", (event) => {
    const target = event.target as HTMLElement;
    const item = target.closest("li");
    const link = item?.querySelector<HTMLAnchorElement>(LINKS) ?? undefined;
    const all = links();
    const at = link ? all.indexOf(link) : -1;
    const moves: Record<string, HTMLAnchorElement | undefined> = {
      ArrowDown: all[Math.min(at + 1, all.length - 1)],
      ArrowUp: all[Math.max(at - 1, 0)],
      Home: all[0],
      End: all.at(-1),
    };
    if (event.key in moves) {
      event.preventDefault();
      focus(moves[event.key]);
    } else if (event.key === "ArrowRight" && target === link) {
      event.preventDefault();
      item?.querySelector("button")?.focus();
    } else if (event.key === "ArrowLeft" && target !== link) {
      event.preventDefault();
      link?.focus();
    } else if (event.key === "Delete" && link) {
      event.preventDefault();
      actions.remove(link);
    }
  });
  return settle;
}
