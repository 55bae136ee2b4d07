/**
 * Keyboard shortcuts that work anywhere on the page, and the dialog that lists them (also reached
 * from the sidebar's "Keyboard shortcuts" button). Ctrl stands for ⌘ on a Mac. Keys a browser
 * keeps for itself (Ctrl+N, Ctrl+T, Ctrl+W) are avoided. ArrowUp in the empty message box and Esc
 * are the message box's and the page's own (composer.ts, main.ts).
 */
import { byId } from "./dom.ts";

export interface ShortcutActions {
  newChat(): void;
  search(): void;
  focusMessageBox(): void;
}

const isEditable = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));

/** Which action `event` asks for, if any. */
function actionOf(event: KeyboardEvent): keyof ShortcutActions | "help" | undefined {
  const command = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (command && event.shiftKey && key === "o") return "newChat";
  if (command && !event.shiftKey && key === "k") return "search";
  if (command && key === "/") return "help";
  if (event.shiftKey && event.key === "Escape") return "focusMessageBox";
  // "?" types a question mark in a text field; elsewhere it opens the list of shortcuts.
  if (event.key === "?" && !command && !event.altKey && !isEditable(event.target)) return "help";
  return undefined;
}

/** Wires the shortcuts and their dialog. */
export function setupShortcuts(actions: ShortcutActions): void {
  const dialog = byId<HTMLDialogElement>("shortcuts-dialog");
  const opener = byId<HTMLButtonElement>("shortcuts");
  const help = () => {
    if (!dialog.open) dialog.showModal();
  };
  opener.addEventListener("click", help);
  byId("shortcuts-close").addEventListener("click", () => dialog.close());
  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing) return;
    const action = actionOf(event);
    if (!action || (dialog.open && action !== "help")) return;
    event.preventDefault();
    if (action === "help") help();
    else actions[action]();
  });
}
