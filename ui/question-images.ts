/**
 * The attachments of the questions on the page: those this page sent (as `data:` URLs, until the
 * server has them) and those the server stores (images by URL, under the page's CSP
 * `img-src 'self'`; documents by name, linked to their text). A sent document's URL carries its
 * name (question-documents.ts), which tells it from an image.
 */
import type { Message } from "./api.ts";
import { type ShownImage, storedImages } from "./message-view.ts";
import { nameOf, sentDocuments, storedDocuments } from "./question-documents.ts";

export class QuestionImages {
  /** By local message id: a question not yet known to the server keeps its attachments here. */
  readonly #sent = new Map<string, string[]>();

  /** Keeps the attachments sent with local question `message`. */
  remember(message: Message, images: string[]): void {
    if (images.length > 0) this.#sent.set(message.id, images);
  }

  /** Local question `from` is stored as `to`: it keeps showing the images sent with it. */
  rekey(from: string, to: string): void {
    const images = this.#sent.get(from);
    if (!images) return;
    this.#sent.delete(from);
    this.#sent.set(to, images);
  }

  /** Forgets every unsent question's attachments (another conversation opens; the server has the rest). */
  clear(): void {
    this.#sent.clear();
  }

  /** The images and documents to show with `message` in conversation `conversationId`. */
  shown(message: Message, conversationId: string | null): ShownImage[] {
    const sent = this.#sent.get(message.id);
    if (sent) {
      const images = sent.filter((url) => nameOf(url) === undefined).map((src) => ({ src }));
      return [...images, ...sentDocuments(sent).map((document) => ({ src: "", document }))];
    }
    const documents = storedDocuments(message, conversationId).map((document) => ({ src: "", document }));
    return [...storedImages(message, conversationId), ...documents];
  }
}
