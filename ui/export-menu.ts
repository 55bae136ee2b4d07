/**
 * The title bar's Export menu: the open conversation as a Markdown or a JSON download. A
 * disclosure (button + list of links) rather than a popup widget: the links are plain downloads
 * that work by keyboard and mouse; Esc or a click elsewhere closes it.
 */
import { exportUrl } from "./api.ts";
import { byId, h } from "./dom.ts";

export class ExportMenu {
  readonly #button = byId<HTMLButtonElement>("export");
  readonly #menu = byId("export-menu");
  // Built here, with their addresses, rather than in the HTML: a link must always lead somewhere.
  readonly #markdown = h("a", { id: "export-md", download: true }, "Markdown (.md)");
  readonly #json = h("a", { id: "export-json", download: true }, "JSON (.json)");

  constructor() {
    this.#menu.append(h("li", {}, this.#markdown), h("li", {}, this.#json));
    this.#button.addEventListener("click", () => this.#setOpen(this.#menu.hidden === true));
    for (const link of [this.#markdown, this.#json]) link.addEventListener("click", () => this.#setOpen(false));
    this.#menu.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      event.preventDefault(); // closes the menu; does not stop an answer
      this.#setOpen(false);
      this.#button.focus();
    });
    document.addEventListener("click", (event) => {
      const target = event.target as Node;
      if (!this.#menu.hidden && !this.#menu.contains(target) && !this.#button.contains(target)) this.#setOpen(false);
    });
  }

  /** Points the downloads at conversation `id`. */
  show(id: string | null): void {
    this.#setOpen(false);
    if (!id) return;
    this.#markdown.href = exportUrl(id, "md");
    this.#json.href = exportUrl(id, "json");
  }

  #setOpen(open: boolean): void {
    this.#menu.hidden = !open;
    this.#button.setAttribute("aria-expanded", String(open));
    if (open) this.#markdown.focus();
  }
}
