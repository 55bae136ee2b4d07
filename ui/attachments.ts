/**
 * Files for the next question: images and documents, picked with the Attach button (or its file
 * dialog), pasted into the message box, or dropped anywhere on the page (drop-guard.ts). An image
 * shows as a thumbnail, a document as a chip with its name and size, each with a Remove button
 * until it is sent. The page refuses what the server would (count, size, kind) before sending it,
 * judging a document by its bytes with the server's own rule (documents/document-kind.ts), and
 * names every file it refused in one notice; the server checks everything again.
 */
import { judgeDocument } from "../src/documents/document-kind.ts";
import type { ChatSettings } from "./api.ts";
import { byId, h } from "./dom.ts";
import { documentChip, namedDataUrl, nameOf, readableSize, sizeOfDataUrl } from "./question-documents.ts";

type Caps = Pick<ChatSettings, "images" | "documents">;

const quotedName = (file: File) => (file.name ? `“${file.name}”` : "a pasted file");

interface Attached {
  /** A `data:` URL: what is sent; an image's thumbnail source (allowed by the page's CSP). */
  url: string;
  name: string;
  /** Set for a document: shown by name, sent as a file part. */
  document: boolean;
}

function readAs<T extends "dataURL" | "arrayBuffer">(
  file: File,
  as: T,
): Promise<T extends "dataURL" ? string : ArrayBuffer> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as T extends "dataURL" ? string : ArrayBuffer);
    reader.onerror = () => reject(reader.error);
    if (as === "dataURL") reader.readAsDataURL(file);
    else reader.readAsArrayBuffer(file);
  });
}

export class Attachments {
  readonly #button = byId<HTMLButtonElement>("attach");
  readonly #input = byId<HTMLInputElement>("attach-input");
  readonly #list = byId<HTMLUListElement>("attachments");
  #caps: Caps = {
    images: { max_count: 4, max_bytes: 5_242_880, types: ["image/png", "image/jpeg"] },
    documents: { max_count: 0, max_bytes: 0, max_characters: 0 },
  };
  #attached: Attached[] = [];
  #adding: Promise<void>;
  /** Called once the server's caps are known (or could not be read): files picked before wait for it. */
  #settled: () => void = () => {};

  constructor(
    readonly changed: () => void,
    readonly notify: (text: string) => void,
  ) {
    // A file is judged by the server's caps, never by the defaults it had before they came.
    this.#adding = new Promise((resolve) => {
      this.#settled = resolve;
    });
    this.#button.addEventListener("click", () => this.#input.click());
    this.#input.addEventListener("change", () => {
      void this.add([...(this.#input.files ?? [])]);
      this.#input.value = "";
    });
  }

  /** The server's caps (undefined: they could not be read, the defaults stay); with nothing allowed, the Attach button goes away. */
  configure(caps?: Caps): void {
    this.#settled();
    if (!caps) return;
    this.#caps = caps;
    // A document's kind is judged by its bytes, so with documents on, every file may be picked.
    this.#input.accept = caps.documents.max_count > 0 ? "" : caps.images.types.join(",");
    this.#button.hidden = caps.images.max_count === 0 && caps.documents.max_count === 0;
    const what = caps.documents.max_count > 0 ? "files" : "images";
    this.#button.setAttribute("aria-label", `Attach ${what}`);
    this.#button.title = `Attach ${what}`;
  }

  get count(): number {
    return this.#attached.length;
  }

  /** Whether any of `files` is one this page takes (to claim a paste or a drop). */
  claims(files: readonly File[]): boolean {
    if (this.#caps.documents.max_count > 0) return files.length > 0;
    return this.#caps.images.max_count > 0 && files.some((file) => this.#isImage(file));
  }

  /**
   * Adds `files`, each checked first; says, in one notice, why each refused one is. Adds run one
   * after another (a pick, a paste and a drop may overlap), so files keep their order and the
   * counts their caps.
   */
  add(files: readonly File[]): Promise<void> {
    const next = this.#adding.then(() => this.#addAll(files));
    // A file that could not be read fails its own add, not every later one.
    this.#adding = next.catch(() => {});
    return next;
  }

  async #addAll(files: readonly File[]): Promise<void> {
    const refused = new Map<string, string[]>();
    for (const file of files) {
      const document = !this.#isImage(file);
      const refusal = document ? await this.#documentRefusal(file) : this.#imageRefusal(file);
      if (refusal) {
        refused.set(refusal, [...(refused.get(refusal) ?? []), quotedName(file)]);
        continue;
      }
      const name = file.name || (document ? "pasted text" : "pasted image");
      const url = await readAs(file, "dataURL");
      this.#attached.push({ url: document ? namedDataUrl(url, name) : url, name, document });
      this.#render();
    }
    if (refused.size === 0) return;
    const reasons = [...refused].map(([reason, names]) => `${names.join(", ")} (${reason})`);
    this.notify(`Not attached: ${reasons.join("; ")}.`);
  }

  /** The files to send, as `data:` URLs (a document's names it), leaving none attached. */
  take(): string[] {
    const urls = this.#attached.map((attached) => attached.url);
    this.#attached = [];
    this.#render();
    return urls;
  }

  /** Puts files back, e.g. when the question could not be sent. */
  restore(urls: readonly string[]): void {
    if (this.#attached.length > 0) return;
    this.#attached = urls.map((url, i) => {
      const name = nameOf(url);
      return { url, name: name ?? `image ${i + 1}`, document: name !== undefined };
    });
    this.#render();
  }

  #isImage(file: File): boolean {
    return this.#caps.images.types.includes(file.type);
  }

  #countOf(document: boolean): number {
    return this.#attached.filter((attached) => attached.document === document).length;
  }

  /** Why an image cannot be added, or undefined. */
  #imageRefusal(file: File): string | undefined {
    const { max_count, max_bytes } = this.#caps.images;
    if (max_count === 0) return "this server takes no images";
    if (file.size > max_bytes) return `larger than ${readableSize(max_bytes)}`;
    if (this.#countOf(false) >= max_count) return `over ${max_count} images per message`;
    return undefined;
  }

  /** Why a document cannot be added, or undefined; its bytes are judged. */
  async #documentRefusal(file: File): Promise<string | undefined> {
    const { max_count, max_bytes, max_characters } = this.#caps.documents;
    if (max_count === 0) return "not a PNG, JPEG, WebP or GIF image";
    if (file.size > max_bytes) return `larger than ${readableSize(max_bytes)}`;
    if (this.#countOf(true) >= max_count) return `over ${max_count} documents per message`;
    const judged = judgeDocument(new Uint8Array(await readAs(file, "arrayBuffer")));
    if (judged.kind === undefined) return "neither a PDF nor a text file";
    if (judged.kind === "text" && judged.text.length > max_characters)
      return `over ${max_characters.toLocaleString()} characters`;
    return undefined;
  }

  #render(): void {
    const total = this.#attached.length;
    const items = this.#attached.map((attached, index) => {
      const kind = attached.document ? "document" : "image";
      const remove = h(
        "button",
        { type: "button", class: "attachment-remove", "aria-label": `Remove ${kind} ${index + 1} (${attached.name})` },
        "×",
      );
      remove.addEventListener("click", () => {
        this.#attached.splice(index, 1);
        this.#render();
        // Focus stays in the composer: the next Remove, or else the message box.
        const next = this.#list.querySelectorAll<HTMLButtonElement>(".attachment-remove")[Math.min(index, total - 2)];
        (next ?? byId("prompt")).focus();
      });
      const shown = attached.document
        ? documentChip({ name: attached.name, detail: readableSize(sizeOfDataUrl(attached.url)) }, attached.name)
        : h("img", { src: attached.url, alt: `Image ${index + 1}: ${attached.name}` });
      return h("li", { class: `attachment ${kind}` }, shown, remove);
    });
    this.#list.replaceChildren(...items);
    this.#list.hidden = total === 0;
    this.changed();
  }
}
