/**
 * One message on the page: who said it, its text (Markdown for answers, plain text for the
 * user's own words), how it ended, and Copy (Show more for a long question). What it offers
 * besides depends on its place in the conversation: message-controls.ts.
 */
import { endingWords } from "./answer-ending.ts";
import type { Message } from "./api.ts";
import { copyButton } from "./clipboard.ts";
import { h } from "./dom.ts";
import { humanError } from "./error-text.ts";
import { formatFigures, TTFT_MEANING } from "./format.ts";
import { renderMarkdown } from "./markdown.ts";
import { documentStrip, type ShownDocument } from "./question-documents.ts";
import { ToolStepsView } from "./tool-steps.ts";
import { collapseIfLong } from "./user-message.ts";

export interface MessageParts {
  article: HTMLElement;
  content: HTMLElement;
  meta: HTMLElement;
  problem: HTMLElement;
  /** The message's text as written (Markdown for answers): what Copy copies. */
  source: { text: string };
}

export interface Problem {
  title: string;
  detail: string;
  code?: string | undefined;
  /** Shown as a Retry button when given. */
  retry?: (() => void) | undefined;
}

/** The empty skeleton of a message by `role`. */
export function messageParts(role: Message["role"]): MessageParts {
  const content = h("div", { class: role === "user" ? "content plain" : "content markdown" });
  const meta = h("p", { class: "meta", title: role === "assistant" ? TTFT_MEANING : undefined });
  const problem = h("div", { class: "problem", role: "alert", hidden: true });
  const source = { text: "" };
  const speaker = role === "user" ? "You" : "Assistant";
  const copy = copyButton(role === "user" ? "Copy your message" : "Copy answer", () => source.text);
  const article = h(
    "article",
    { class: `message ${role}` },
    h("h2", { class: "visually-hidden" }, speaker),
    content,
    problem,
    h("div", { class: "message-footer" }, meta, h("div", { class: "message-actions" }, copy)),
  );
  return { article, content, meta, problem, source };
}

/** Shows (or with undefined, hides) what went wrong with an answer. */
export function showProblem(parts: MessageParts, problem: Problem | undefined): void {
  parts.problem.replaceChildren();
  parts.problem.hidden = !problem;
  if (!problem) return;
  const detail = h("p", {}, h("strong", {}, problem.title), " ", problem.detail);
  if (problem.code) detail.append(" ", h("code", { class: "code" }, problem.code));
  parts.problem.append(detail);
  if (problem.retry) {
    const button = h("button", { type: "button", class: "button small" }, "Retry");
    button.addEventListener("click", problem.retry, { once: true });
    parts.problem.append(button);
  }
}

/** The problem a stored answer ended with, if any. */
export function problemOf(message: Message, retry: (() => void) | undefined): Problem | undefined {
  if (message.status === "error") {
    const error = message.error ?? { code: "internal", message: "no reason was stored", retryable: true };
    return {
      title: "The answer failed.",
      detail: humanError(error),
      code: error.code,
      retry: message.error?.retryable === false ? undefined : retry,
    };
  }
  if (message.status === "interrupted") {
    return { title: "Interrupted.", detail: "The server restarted before this answer finished.", retry };
  }
  return undefined;
}

/** Fills `parts.content` with the message's whole text. */
export function renderContent(parts: MessageParts, role: Message["role"], text: string): void {
  parts.source.text = text;
  if (role === "user") {
    parts.content.textContent = text;
    collapseIfLong(parts.article, parts.content, text);
  } else {
    parts.content.replaceChildren(renderMarkdown(text));
  }
}

/**
 * The line under a stored answer: its figures as they were shown live, after how it ended when
 * that needs saying ("Stopped", "Cut off at the output limit").
 */
export function storedMeta(message: Message): string {
  const figures = message.figures ? formatFigures(message.figures) : "";
  const ending = endingWords(message.status, message.figures?.finish_reason);
  if (!ending) return figures;
  return figures ? `${ending} · ${figures}` : ending;
}

/** The images a question was sent with, shown above its text. */
function imageStrip(images: readonly ShownImage[]): HTMLElement {
  const strip = h("div", { class: "message-images" });
  images.forEach((image, index) => {
    const label = `Image ${index + 1} of ${images.length}`;
    strip.append(h("img", { src: image.src, alt: label, loading: "lazy", decoding: "async" }));
  });
  return strip;
}

/** An image to show with a question: its URL on the server, or a `data:` URL before it is stored. */
export interface ShownImage {
  src: string;
  /** Set for a document, shown as a chip by name instead (question-documents.ts). */
  document?: ShownDocument;
}

/** The URLs of a stored message's images, in `conversationId`. */
export function storedImages(message: Message, conversationId: string | null): ShownImage[] {
  if (!conversationId || !message.images) return [];
  const base = `/api/conversations/${encodeURIComponent(conversationId)}/images/`;
  return message.images.map((image) => ({ src: base + encodeURIComponent(image.id) }));
}

/** A stored message as it stands alone (a shared conversation's): its parts, and the problem it ended with. */
export function storedMessage(message: Message, images: ShownImage[] = []): HTMLElement {
  const parts = storedParts(message, images);
  showProblem(parts, problemOf(message, undefined));
  return parts.article;
}

/** How a stored message's text is put on the page (default: all of it, at once). */
export type ContentRenderer = (parts: MessageParts, role: Message["role"], text: string) => void;

/** A stored message's parts: its text (rendered by `render`), its images and its figures. */
export function storedParts(
  message: Message,
  images: ShownImage[] = [],
  render: ContentRenderer = renderContent,
): MessageParts {
  const parts = messageParts(message.role);
  render(parts, message.role, message.content);
  const pictures = images.filter((image) => !image.document);
  const documents = images.flatMap((image) => image.document ?? []);
  if (pictures.length > 0) parts.content.before(imageStrip(pictures));
  if (documents.length > 0) parts.content.before(documentStrip(documents));
  if (message.tool_steps?.length) parts.content.before(ToolStepsView.stored(message.tool_steps).element);
  parts.article.dataset.status = message.status;
  parts.meta.textContent = storedMeta(message);
  parts.meta.hidden = parts.meta.textContent === "";
  return parts;
}
