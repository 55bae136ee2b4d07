/**
 * On a phone the title gets the header's room: Rename, Custom instructions, Export and Delete
 * fold into one "More" menu (menu-button.ts), which also says which model answers, and whether it
 * or the network is down (a mark on the button then). On a wide screen the menu is not shown and
 * the title bar's own buttons are. Each item does what its title-bar button does.
 */
import { exportUrl } from "./api.ts";
import { byId, h } from "./dom.ts";
import { MenuButton } from "./menu-button.ts";

export class TitleMenu {
  readonly #button = byId<HTMLButtonElement>("more");
  readonly #menu: MenuButton;
  readonly #model = h("span", { class: "menu-model" });
  readonly #markdown = h("a", { role: "menuitem", download: true }, "Export as Markdown");
  readonly #json = h("a", { role: "menuitem", download: true }, "Export as JSON");
  /** The items that need a saved conversation (a new chat has nothing to rename or export). */
  readonly #savedOnly: HTMLElement[];

  constructor() {
    const list = byId("more-menu");
    const press = (label: string, id: string) => {
      const item = h("button", { type: "button", role: "menuitem" }, label);
      item.addEventListener("click", () => byId(id).click());
      return item;
    };
    const rename = press("Rename", "rename");
    const remove = press("Delete", "delete");
    remove.classList.add("danger-text");
    this.#savedOnly = [rename, this.#markdown, this.#json, remove];
    const items = [rename, press("Custom instructions", "instructions"), this.#markdown, this.#json, remove];
    list.append(
      h("li", { role: "none", class: "menu-note" }, this.#model),
      ...items.map((item) => h("li", { role: "none" }, item)),
    );
    this.#menu = new MenuButton(this.#button, list);
  }

  /** Sets the items for conversation `id` (null: a new chat). */
  show(id: string | null): void {
    this.#menu.close(false);
    for (const item of this.#savedOnly) (item.parentElement as HTMLElement).hidden = id === null;
    if (!id) return;
    this.#markdown.href = exportUrl(id, "md");
    this.#json.href = exportUrl(id, "json");
  }

  /** Shows which model answers, or what is down (`warning`: the badge's explanation). */
  setModel(text: string, warning: string | undefined): void {
    this.#model.textContent = warning ? `${text}: ${warning}` : `Model: ${text}`;
    this.#button.dataset.warning = String(warning !== undefined);
    this.#button.setAttribute("aria-label", warning ? `More (${text})` : "More");
  }
}
