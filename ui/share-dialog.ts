/**
 * Share links, from the title bar: a Share button opens a dialog that makes a read-only link to
 * the open conversation as it is now, lists this conversation's links with Copy, and revokes
 * them. Its button and dialog are built here, not in index.html, and the page offers them only
 * when the server shares (SHARE is not off).
 */
import type { ShareSummary } from "../src/conversations/shares.ts";
import { ApiError } from "./api.ts";
import { copyText } from "./clipboard.ts";
import { h } from "./dom.ts";

const shareIcon = `<svg aria-hidden="true" viewBox="0 0 20 20" width="18" height="18"><path d="M8 12l4-4M7 9l-2 2a3 3 0 004 4l2-2M13 11l2-2a3 3 0 00-4-4L9 7"/></svg>`;

async function call<T>(method: string, path: string): Promise<T> {
  const response = await fetch(path, { method, headers: { accept: "application/json" } });
  if (response.status === 204) return undefined as T;
  const body = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(error?.code ?? `http_${response.status}`, error?.message ?? "", response.status, false);
  }
  return body as T;
}

export class ShareDialog {
  readonly #button = h("button", {
    id: "share",
    class: "icon-button",
    type: "button",
    "aria-label": "Share",
    title: "Share",
    "aria-haspopup": "dialog",
    hidden: true,
  });
  readonly #list = h("ul", { class: "share-list", "aria-label": "Links to this conversation" });
  readonly #status = h("p", { class: "share-status", role: "status" });
  readonly #who = h("span", {}, "anyone signed in here");
  readonly #dialog: HTMLDialogElement;
  /** Share in the phone's More menu. */
  #menuItem: HTMLElement | undefined;
  #conversationId: string | null = null;
  #sharing = false;

  constructor() {
    this.#button.innerHTML = shareIcon;
    const create = h("button", { class: "button", type: "button" }, "Create a link");
    const close = h("button", { class: "button quiet", type: "button" }, "Close");
    this.#dialog = h(
      "dialog",
      { id: "share-dialog", class: "dialog share-dialog", "aria-labelledby": "share-title" },
      h("h2", { id: "share-title" }, "Share this conversation"),
      h(
        "p",
        {},
        "A link shows this conversation as it is now, read-only, to ",
        this.#who,
        ". Later messages are not shared.",
      ),
      this.#list,
      this.#status,
      h("div", { class: "dialog-actions" }, close, create),
    );
    document.body.append(this.#dialog);
    document.getElementById("delete")?.before(this.#button);
    this.#addToMoreMenu();
    this.#button.addEventListener("click", () => void this.#open());
    create.addEventListener("click", () => void this.#create());
    close.addEventListener("click", () => this.#dialog.close());
    this.#dialog.addEventListener("close", () => this.#button.focus());
  }

  /** On a phone the title bar's buttons fold into its More menu: Share goes there too, before Delete. */
  #addToMoreMenu(): void {
    const menu = document.getElementById("more-menu");
    if (!menu) return;
    const item = h("button", { type: "button", role: "menuitem" }, "Share");
    item.addEventListener("click", () => void this.#open());
    this.#menuItem = h("li", { role: "none", hidden: true }, item);
    const remove = menu.querySelector(".danger-text")?.closest("li");
    if (remove) remove.before(this.#menuItem);
    else menu.append(this.#menuItem);
  }

  /** The server's SHARE: the button shows only when links can be made. */
  configure(mode: string): void {
    this.#sharing = mode !== "off";
    this.#who.textContent = mode === "public" ? "anyone who has it" : "anyone signed in here";
    this.#offer();
  }

  /** Conversation `id` is the open one (null: a new chat, which has nothing to share yet). */
  show(id: string | null): void {
    this.#conversationId = id;
    this.#offer();
    if (this.#dialog.open) this.#dialog.close();
  }

  /** Share is offered for a saved conversation, when the server shares. */
  #offer(): void {
    const hidden = !this.#sharing || this.#conversationId === null;
    this.#button.hidden = hidden;
    if (this.#menuItem) this.#menuItem.hidden = hidden;
  }

  async #open(): Promise<void> {
    this.#status.textContent = "";
    this.#dialog.showModal();
    await this.#refresh();
  }

  async #refresh(): Promise<void> {
    const id = this.#conversationId;
    if (!id) return;
    const { shares } = await call<{ shares: ShareSummary[] }>(
      "GET",
      `/api/shares?conversation=${encodeURIComponent(id)}`,
    );
    this.#list.replaceChildren(...shares.map((share) => this.#item(share)));
  }

  async #create(): Promise<void> {
    const id = this.#conversationId;
    if (!id) return;
    try {
      const share = await call<ShareSummary>("POST", `/api/conversations/${encodeURIComponent(id)}/shares`);
      await this.#refresh();
      const copied = await copyText(new URL(share.url, location.origin).toString());
      this.#status.textContent = copied ? "Link created and copied." : "Link created.";
    } catch (error) {
      this.#status.textContent = (error as Error).message || "The link could not be made.";
    }
  }

  #item(share: ShareSummary): HTMLElement {
    const url = new URL(share.url, location.origin).toString();
    const field = h("input", { class: "share-url", readonly: true, "aria-label": "Link", value: url });
    const copy = h("button", { class: "button quiet small", type: "button" }, "Copy");
    const revoke = h("button", { class: "button quiet small danger-text", type: "button" }, "Revoke");
    copy.addEventListener("click", async () => {
      this.#status.textContent = (await copyText(url)) ? "Link copied." : "Select the link and copy it.";
    });
    revoke.addEventListener("click", async () => {
      await call<void>("DELETE", `/api/shares/${encodeURIComponent(share.id)}`).catch(() => undefined);
      this.#status.textContent = "Link revoked: it no longer opens.";
      await this.#refresh();
    });
    const when = new Date(share.created_at).toLocaleString();
    return h("li", { class: "share-item" }, field, h("span", { class: "share-when" }, when), copy, revoke);
  }
}
