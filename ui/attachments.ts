/**
 * Images for the next question: picked with the Attach button (or its file dialog), pasted into
 * the message box, or dropped anywhere on the page (drop-guard.ts). Each shows as a thumbnail with a Remove button
 * until it is sent. The page refuses what the server would (count, size, type) before reading
 * it; the server checks again, the type by the image's own bytes.
 */
import type { ChatSettings } from "./api.ts";
import { byId, h } from "./dom.ts";

type ImageSettings = ChatSettings["images"];

interface Attached {
  /** A `data:` URL: what is sent, and the thumbnail's source (allowed by the page's CSP). */
  url: string;
  name: string;
}

const nameOf = (file: File) => (file.name ? `“${file.name}”` : "a pasted file");

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(bytes < 1_048_576 ? 2 : 0)} MB`;

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export class Attachments {
  readonly #button = byId<HTMLButtonElement>("attach");
  readonly #input = byId<HTMLInputElement>("attach-input");
  readonly #list = byId<HTMLUListElement>("attachments");
  #settings: ImageSettings = { max_count: 4, max_bytes: 5_242_880, types: ["image/png", "image/jpeg"] };
  #attached: Attached[] = [];

  constructor(
    readonly changed: () => void,
    readonly notify: (text: string) => void,
  ) {
    this.#button.addEventListener("click", () => this.#input.click());
    this.#input.addEventListener("change", () => {
      void this.add([...(this.#input.files ?? [])]);
      this.#input.value = "";
    });
  }

  /** The server's caps; with none allowed, the Attach button goes away. */
  configure(settings: ImageSettings): void {
    this.#settings = settings;
    this.#input.accept = settings.types.join(",");
    this.#button.hidden = settings.max_count === 0;
  }

  get count(): number {
    return this.#attached.length;
  }

  /** Whether any of `files` is an image this page takes (to claim a paste or a drop). */
  hasImages(files: readonly File[]): boolean {
    return this.#settings.max_count > 0 && files.some((file) => file.type.startsWith("image/"));
  }

  /** Adds the images among `files`, each checked first; says, in one notice, why each refused one is. */
  async add(files: readonly File[]): Promise<void> {
    const refused = new Map<string, string[]>();
    const refuse = (reason: string, file: File) => refused.set(reason, [...(refused.get(reason) ?? []), nameOf(file)]);
    const { max_count, max_bytes, types } = this.#settings;
    for (const file of files) {
      if (!types.includes(file.type)) refuse("not a PNG, JPEG, WebP or GIF image", file);
      else if (file.size > max_bytes) refuse(`larger than ${megabytes(max_bytes)}`, file);
      else if (this.#attached.length >= max_count) refuse(`over ${max_count} images per message`, file);
      else {
        this.#attached.push({ url: await readAsDataUrl(file), name: file.name || "pasted image" });
        this.#render();
      }
    }
    if (refused.size === 0) return;
    const reasons = [...refused].map(([reason, names]) => `${names.join(", ")} (${reason})`);
    this.notify(`Not attached: ${reasons.join("; ")}.`);
  }

  /** The images to send, leaving none attached. */
  take(): string[] {
    const urls = this.#attached.map((image) => image.url);
    this.#attached = [];
    this.#render();
    return urls;
  }

  /** Puts images back, e.g. when the question could not be sent. */
  restore(urls: readonly string[]): void {
    if (this.#attached.length > 0) return;
    this.#attached = urls.map((url, i) => ({ url, name: `image ${i + 1}` }));
    this.#render();
  }

  #render(): void {
    const total = this.#attached.length;
    const items = this.#attached.map((image, index) => {
      const remove = h(
        "button",
        { type: "button", class: "attachment-remove", "aria-label": `Remove image ${index + 1} (${image.name})` },
        "×",
      );
      remove.addEventListener("click", () => {
        this.#attached.splice(index, 1);
        this.#render();
        // Focus stays in the composer: the next Remove, or else the message box.
        const next = this.#list.querySelectorAll<HTMLButtonElement>(".attachment-remove")[Math.min(index, total - 2)];
        (next ?? byId("prompt")).focus();
      });
      return h(
        "li",
        { class: "attachment" },
        h("img", { src: image.url, alt: `Image ${index + 1}: ${image.name}` }),
        remove,
      );
    });
    this.#list.replaceChildren(...items);
    this.#list.hidden = total === 0;
    this.changed();
  }
}
