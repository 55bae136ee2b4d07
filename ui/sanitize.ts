/**
 * Untrusted HTML (rendered from model output) → inert DOM. DOMPurify removes scripts, handlers
 * and dangerous URLs; on top of that, model output keeps no `id`, `class`, `style`, `name` or
 * `role`, so it can neither clobber the page's own elements nor dress up as its buttons, and a
 * link stays a link only to an absolute http(s) or mailto address.
 */
import DOMPurify, { type Config } from "dompurify";

const linkSchemes = new Set(["http:", "https:", "mailto:"]);

function isAllowedLink(href: string): boolean {
  try {
    // No base: relative addresses ("#/c/…", "/api/…") throw and so are refused too.
    return linkSchemes.has(new URL(href).protocol);
  } catch {
    return false;
  }
}

DOMPurify.addHook("uponSanitizeElement", (node, data) => {
  // Task lists (`- [x]`) are the one input kept: a disabled checkbox, nothing that submits.
  if (data.tagName === "input" && (node as Element).getAttribute("type") !== "checkbox")
    node.parentNode?.removeChild(node);
});

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.tagName === "INPUT") {
    node.setAttribute("disabled", "");
    node.removeAttribute("name");
    node.removeAttribute("value");
  }
  if (node.tagName === "A") {
    const href = node.getAttribute("href");
    if (href === null || !isAllowedLink(href)) {
      node.removeAttribute("href");
      return;
    }
    // Links open apart from the chat, and tell the target nothing about it.
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer nofollow");
  }
});

// Set once: sanitize() with a config argument parses it again on every call, i.e. every frame.
DOMPurify.setConfig({
  USE_PROFILES: { html: true, mathMl: true },
  ADD_TAGS: ["input"],
  ADD_ATTR: ["checked", "disabled", "type"],
  // Forms, frames and inline styles have no place in an answer (the CSP refuses inline styles).
  FORBID_TAGS: ["style", "form", "button", "textarea", "select", "option", "dialog"],
  FORBID_ATTR: ["style", "class", "id", "name", "role", "tabindex", "autofocus", "popover", "form"],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  RETURN_DOM_FRAGMENT: true,
} satisfies Config);

/** Sanitizes `html` into a fragment ready to insert. */
export function sanitizeToFragment(html: string): DocumentFragment {
  return DOMPurify.sanitize(html) as unknown as DocumentFragment;
}
