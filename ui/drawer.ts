/**
 * The sidebar as a drawer on narrow screens. Open, it is modal: the rest of the page is `inert`
 * (neither focusable nor clickable, and hidden from screen readers), Tab cycles inside it, and Esc,
 * the scrim or a choice closes it, returning focus to the menu button.
 */
import { byId } from "./dom.ts";

const focusable = "a[href], button:not([disabled]), input, textarea, [tabindex]:not([tabindex='-1'])";

export interface Drawer {
  /** Opens it (on a narrow screen; a wide one always shows the sidebar). */
  open(): void;
  close(): void;
}

/** Wires the menu button, the sidebar and the scrim; returns a way to close the drawer. */
export function setupDrawer(): Drawer {
  const menu = byId<HTMLButtonElement>("menu");
  const sidebar = byId("sidebar");
  const scrim = byId("scrim");
  // Everything but the drawer: the main column and the skip link.
  const background = [byId("main"), byId("skip-link")];
  const isOpen = () => document.body.classList.contains("drawer-open");

  const setOpen = (open: boolean) => {
    document.body.classList.toggle("drawer-open", open);
    menu.setAttribute("aria-expanded", String(open));
    scrim.hidden = !open;
    for (const element of background) element.inert = open;
    if (open) sidebar.querySelector<HTMLElement>("a[aria-current], a, button")?.focus();
  };
  const close = (returnFocus: boolean) => {
    if (!isOpen()) return;
    setOpen(false);
    if (returnFocus) menu.focus();
  };

  menu.addEventListener("click", () => setOpen(!isOpen()));
  scrim.addEventListener("click", () => close(true));
  // On the document, so Esc works wherever focus is; registered before the page's own Esc (Stop).
  document.addEventListener("keydown", (event) => {
    // A dialog opened from the drawer (Delete's confirmation) has the keys: Esc and Tab are its own.
    if (!isOpen() || document.querySelector("dialog[open]")) return;
    // Shift+Esc is the shortcut to the message box (shortcuts.ts), which closes the drawer itself.
    if (event.key === "Escape" && !event.shiftKey) {
      event.preventDefault(); // this Esc closes the drawer; it does not stop the answer
      close(true);
    } else if (event.key === "Tab") {
      trapTab(sidebar, event);
    }
  });
  // Widened past the breakpoint, the sidebar is a column again: nothing stays inert.
  const narrow = matchMedia("(max-width: 760px)");
  narrow.addEventListener("change", (event) => {
    if (!event.matches) close(false);
  });
  return {
    open: () => {
      if (narrow.matches && !isOpen()) setOpen(true);
    },
    close: () => close(false),
  };
}

/** Keeps Tab and Shift+Tab among the drawer's controls. */
function trapTab(container: HTMLElement, event: KeyboardEvent): void {
  const items = [...container.querySelectorAll<HTMLElement>(focusable)].filter((item) => item.checkVisibility());
  const first = items[0];
  const last = items.at(-1);
  if (!first || !last) return;
  const active = document.activeElement;
  const outside = !container.contains(active);
  if (event.shiftKey && (active === first || outside)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || outside)) {
    event.preventDefault();
    first.focus();
  }
}
