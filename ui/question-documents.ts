/**
 * Documents on the page: a file waiting in the composer travels to the server as a `data:` URL
 * whose `name` parameter (RFC 2397 allows parameters before `;base64`) carries its file name, so
 * a question's attachments stay one list of URLs however they were added; api.ts turns each into
 * its content part. Sent and stored documents show as chips with their name and size; a stored
 * one links to its text on the server.
 */
import type { Message } from "../src/conversations/store.ts";
import { h } from "./dom.ts";

/** A document to show with a question: its name, a line about it, and where its text is (once stored). */
export interface ShownDocument {
  name: string;
  detail: string;
  /** The text's URL on the server; absent while the question is not stored. */
  href?: string | undefined;
}

const NAMED = /^data:([^;,]*)((?:;[^;,=]+=[^;,]*)*);base64,/;

/** `dataUrl` (as FileReader makes it) with `name` among its parameters. */
export function namedDataUrl(dataUrl: string, name: string): string {
  return dataUrl.replace(/^data:([^;,]*)/, `data:$1;name=${encodeURIComponent(name)}`);
}

/** The file name a URL carries, or undefined for one without (an image). */
export function nameOf(url: string): string | undefined {
  const parameters = NAMED.exec(url)?.[2] ?? "";
  const named = /;name=([^;,]*)/.exec(parameters)?.[1];
  return named === undefined ? undefined : decodeURIComponent(named);
}

/** A question's attachment as the API takes it: a document as a `file` part, an image as `image_url`. */
export function attachmentPart(url: string): object {
  const filename = nameOf(url);
  if (filename === undefined) return { type: "image_url", image_url: { url } };
  return { type: "file", file: { filename, file_data: url } };
}

/** A size as people read it: 812 B, 14 KB, 3.1 MB. */
export function readableSize(bytes: number): string {
  if (bytes < 1_000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${Math.round(bytes / 1_000)} KB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** How many bytes a base64 `data:` URL holds. */
export function sizeOfDataUrl(url: string): number {
  const base64 = url.slice(url.indexOf(",") + 1);
  return Math.floor((base64.length * 3) / 4) - (base64.match(/=+$/)?.[0].length ?? 0);
}

/** The documents of a stored message, linked to their text in `conversationId`. */
export function storedDocuments(message: Message, conversationId: string | null): ShownDocument[] {
  if (!conversationId || !message.documents) return [];
  const base = `/api/conversations/${encodeURIComponent(conversationId)}/documents/`;
  return message.documents.map((document) => {
    const kind = document.media_type === "application/pdf" ? `PDF · ${document.pages ?? 0} p.` : "Text";
    return { name: document.name, detail: `${kind} · ${readableSize(document.size)}`, href: base + document.id };
  });
}

/** The documents among a question's sent URLs, before the server stores them. */
export function sentDocuments(urls: readonly string[]): ShownDocument[] {
  return urls.flatMap((url) => {
    const name = nameOf(url);
    return name === undefined ? [] : [{ name, detail: readableSize(sizeOfDataUrl(url)) }];
  });
}

const SVG = "http://www.w3.org/2000/svg";

/** A page with a folded corner, drawn like the page's other icons (no font has to hold it). */
function documentIcon(): SVGSVGElement {
  const icon = document.createElementNS(SVG, "svg");
  for (const [name, value] of Object.entries({
    viewBox: "0 0 20 20",
    width: "20",
    height: "20",
    "aria-hidden": "true",
  }))
    icon.setAttribute(name, value);
  icon.setAttribute("class", "document-icon");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", "M5 2h7l4 4v12H5zM12 2v4h4M8 10h5M8 13h5");
  icon.append(path);
  return icon;
}

/** A document's chip: an icon, its name and a line about it; a link to its text when stored. */
export function documentChip(document: ShownDocument, label: string): HTMLElement {
  const body = [
    documentIcon(),
    h("span", { class: "document-name" }, document.name),
    h("span", { class: "document-detail" }, document.detail),
  ];
  if (!document.href) return h("span", { class: "document-chip", title: label }, ...body);
  return h(
    "a",
    {
      class: "document-chip",
      href: document.href,
      target: "_blank",
      rel: "noopener",
      title: `${label}: open its text`,
    },
    ...body,
  );
}

/** The documents a question was sent with, shown above its text. */
export function documentStrip(documents: readonly ShownDocument[]): HTMLElement {
  const strip = h("div", { class: "message-documents" });
  documents.forEach((document, index) => {
    strip.append(documentChip(document, `Document ${index + 1} of ${documents.length}: ${document.name}`));
  });
  return strip;
}
