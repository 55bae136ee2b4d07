/**
 * The title bar's Export menu: the open conversation as a Markdown or a JSON download, in a menu
 * button (menu-button.ts: arrows, Esc, Tab and a click elsewhere close it). The server names the
 * file after the conversation's title.
 */
import { exportUrl } from "./api.ts";
import { byId, h } from "./dom.ts";
import { MenuButton } from "./menu-button.ts";

export class ExportMenu {
  // Built here, with their addresses, rather than in the HTML: a link must always lead somewhere.
  readonly #markdown = h("a", { id: "export-md", role: "menuitem", download: true }, "Markdown (.md)");
  readonly #json = h("a", { id: "export-json", role: "menuitem", download: true }, "JSON (.json)");
  readonly #menu: MenuButton;

  constructor() {
    const list = byId("export-menu");
    list.append(h("li", { role: "none" }, this.#markdown), h("li", { role: "none" }, this.#json));
    this.#menu = new MenuButton(byId<HTMLButtonElement>("export"), list);
  }

  /** Points the downloads at conversation `id`. */
  show(id: string | null): void {
    this.#menu.close(false);
    if (!id) return;
    this.#markdown.href = exportUrl(id, "md");
    this.#json.href = exportUrl(id, "json");
  }
}
