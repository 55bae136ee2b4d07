/**
 * Copy buttons. The Clipboard API exists only in secure contexts, and the page may be opened
 * over plain http on a LAN address, so a hidden-textarea copy is the fallback there.
 */
import { h } from "./dom.ts";

/** Puts `text` on the clipboard; false if the browser refused. */
export async function copyText(text: string): Promise<boolean> {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused: try the old way below.
    }
  }
  const area = h("textarea", { class: "offscreen-copy", readonly: true, "aria-hidden": "true" });
  area.value = text;
  const focused = document.activeElement as HTMLElement | null;
  document.body.append(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  focused?.focus();
  return copied;
}

const copyIcon = `<svg aria-hidden="true" viewBox="0 0 20 20" width="16" height="16"><rect x="7" y="7" width="9" height="9" rx="2"/><path d="M13 7V5a1 1 0 0 0-1-1H5a1 1 0 0 0-1 1v7a1 1 0 0 0 1 1h2"/></svg>`;

/**
 * A button that copies what `text()` returns and says "Copied" for a moment. `label` names what
 * it copies for screen readers ("Copy message", "Copy code").
 */
export function copyButton(label: string, text: () => string, visibleText = ""): HTMLButtonElement {
  const button = h("button", { type: "button", class: "copy-button", "aria-label": label, title: label });
  // The icon is the page's own constant markup, never model output.
  button.innerHTML = copyIcon;
  // One caption, visible or not, that says what happened; polite, so a screen reader hears it too.
  const caption = h("span", { class: visibleText ? "copy-caption" : "visually-hidden", "aria-live": "polite" });
  caption.textContent = visibleText;
  button.append(caption);
  let reset: ReturnType<typeof setTimeout> | undefined;
  button.addEventListener("click", async () => {
    const copied = await copyText(text());
    button.dataset.copied = String(copied);
    caption.textContent = copied ? "Copied" : "Copy failed";
    clearTimeout(reset);
    reset = setTimeout(() => {
      delete button.dataset.copied;
      caption.textContent = visibleText;
    }, 1_500);
  });
  return button;
}
