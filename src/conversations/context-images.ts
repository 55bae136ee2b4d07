/**
 * Which stored images go back to the model with a new question, and how a question with images
 * reads on the wire. Images cost a model far more than their share of characters and a request
 * carries them as base64, so the context holds at most `maxImages` (CONTEXT_MAX_IMAGES): the
 * newest questions' images first, a question's images all or none. Older ones are left out; the
 * text of their question still goes.
 */
import type { ModelContentPart, ModelMessage } from "../contract.ts";
import type { NewImage } from "./images.ts";
import type { ConversationStore, Message } from "./store.ts";

/** An image's type and bytes: all the model needs of it. */
export type ImageData = Pick<NewImage, "media_type" | "data">;

export { IMAGE_TOKENS } from "../usage/estimate.ts";

/**
 * The stored questions (ids, newest first) whose attachments of one kind (`countOf` counts them)
 * the context carries: every one the questions in `thread` hold, newest first, while they fit in
 * `max` after the `sent` ones; a question's all or none.
 */
export function questionsToCarry(
  thread: readonly Message[],
  countOf: (question: Message) => number,
  sent: number,
  max: number,
): string[] {
  let room = max - sent;
  const chosen: string[] = [];
  for (let i = thread.length - 1; i >= 0 && room > 0; i--) {
    const message = thread[i] as Message;
    const count = message.role === "user" ? countOf(message) : 0;
    if (count === 0 || count > room) continue;
    chosen.push(message.id);
    room -= count;
  }
  return chosen;
}

/** The stored questions (ids, newest first) whose images the context carries (see {@link questionsToCarry}). */
export function questionsWithImagesToCarry(thread: readonly Message[], sent: number, maxImages: number): string[] {
  return questionsToCarry(thread, (question) => question.images?.length ?? 0, sent, maxImages);
}

/**
 * A user message as the model gets it: its text alone, or the text and then its images as content
 * parts, as bytes (the request writes their `data:` URLs as it is sent: upstream/request-body.ts).
 */
export function withImageParts(text: string, images: readonly ImageData[] | undefined): ModelMessage {
  if (!images?.length) return { role: "user", content: text };
  const parts: ModelContentPart[] = text ? [{ type: "text", text }] : [];
  for (const { media_type, data } of images) parts.push({ type: "image_bytes", media_type, data });
  return { role: "user", content: parts };
}

/** Counts stored bytes before they are loaded into memory; throws to refuse the turn (the in-flight budget). */
export type HoldBytes = (bytes: number) => void;

/** The stored size of `messages`' images, from their references alone. */
function storedImageBytes(messages: readonly (Message | undefined)[]): number {
  let bytes = 0;
  for (const message of messages) for (const image of message?.images ?? []) bytes += image.size;
  return bytes;
}

/** The stored images the context carries (see {@link questionsWithImagesToCarry}), by question id. */
export async function loadCarriedImages(
  store: ConversationStore,
  owner: string,
  conversationId: string,
  thread: readonly Message[],
  sent: number,
  maxImages: number,
  hold?: HoldBytes,
): Promise<Map<string, ImageData[]>> {
  const carried = questionsWithImagesToCarry(thread, sent, maxImages);
  if (hold && carried.length > 0) {
    const chosen = new Set(carried);
    hold(storedImageBytes(thread.filter((message) => chosen.has(message.id))));
  }
  const byQuestion = new Map<string, ImageData[]>();
  for (const image of await store.imagesOf(owner, conversationId, carried))
    byQuestion.set(image.message_id, [...(byQuestion.get(image.message_id) ?? []), image]);
  return byQuestion;
}

/**
 * The images of a question being replaced (Regenerate, or Edit of its text), under new ids: the
 * new question keeps them, since replacing it deletes the old one with its images.
 */
export async function imagesOfReplaced(
  store: ConversationStore,
  owner: string,
  conversationId: string,
  replaced: Message | undefined,
  hold?: HoldBytes,
): Promise<NewImage[]> {
  if (replaced?.role !== "user" || !replaced.images?.length) return [];
  // Loaded, and stored again with the new question.
  hold?.(storedImageBytes([replaced]) * 2);
  const images = await store.imagesOf(owner, conversationId, [replaced.id]);
  return images.map(({ media_type, data }) => ({ id: crypto.randomUUID(), media_type, data }));
}
