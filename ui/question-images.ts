/**
 * The images of the questions on the page: those this page sent (as `data:` URLs, until the
 * server has them) and those the server stores (by URL, under the page's CSP `img-src 'self'`).
 */
import type { Message } from "./api.ts";
import { type ShownImage, storedImages } from "./message-view.ts";

export class QuestionImages {
  /** By local message id: a question not yet known to the server keeps its images here. */
  readonly #sent = new Map<string, string[]>();

  /** Keeps the images sent with local question `message`. */
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

  /** Forgets every unsent question's images (another conversation opens; the server has the rest). */
  clear(): void {
    this.#sent.clear();
  }

  /** The images to show with `message` in conversation `conversationId`. */
  shown(message: Message, conversationId: string | null): ShownImage[] {
    const sent = this.#sent.get(message.id);
    return sent ? sent.map((src) => ({ src })) : storedImages(message, conversationId);
  }
}
