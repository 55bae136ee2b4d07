/**
 * The body of `POST /api/chat`: the one route whose body may be larger than MAX_BODY_BYTES, and
 * only by its attachments. It is read up to the size the image and document caps need, and then
 * everything but the attachments' `data:` URLs must still fit MAX_BODY_BYTES, so a long text is
 * refused as before. The images' URLs are lifted out of the bytes before the rest is parsed
 * (lifted-data-urls.ts).
 */

import { DECODED_IMAGE_BYTE_WEIGHT } from "../limits/inflight-bytes.ts";
import type { DocumentLimits, ImageLimits } from "../settings/attachments.ts";
import { type BodyLimits, BodyTooLargeError, parseJson, readJsonBytes } from "./body.ts";
import { LiftedDataUrls, liftDataUrls } from "./lifted-data-urls.ts";

const liftedOf = new WeakMap<Request, LiftedDataUrls>();

/** The `data:` URLs lifted out of `request`'s body, by the markers its image parts hold instead. */
export function liftedDataUrlsOf(request: Request): LiftedDataUrls {
  return liftedOf.get(request) ?? new LiftedDataUrls();
}

/** What a question may carry beyond MAX_BODY_BYTES: how many of each and how large. */
type AttachmentCaps = Pick<ImageLimits | DocumentLimits, "maxCount" | "maxBytes">;

/**
 * The JSON body bytes `/api/chat` must accept for a question with the most and largest images
 * and documents: the usual limit, plus each in base64 (4 characters per 3 bytes) and its part's framing.
 */
export function chatBodyLimit(maxBodyBytes: number, images: AttachmentCaps, documents: AttachmentCaps): number {
  const allowance = (caps: AttachmentCaps) => caps.maxCount * (Math.ceil(caps.maxBytes / 3) * 4 + 256);
  return maxBodyBytes + allowance(images) + allowance(documents);
}

/** A field of a part that holds a `data:` URL: an image's `url`, a file's `file_data`. */
type Payload = { holder: Record<string, unknown>; key: "url" | "file_data" };

/**
 * Every `image_url.url` and `file.file_data` string of the body's `content` parts (and
 * `messages[].content`'s).
 */
function payloads(body: unknown): Payload[] {
  const record = body as { content?: unknown; messages?: unknown } | null;
  const contents = [record?.content];
  if (Array.isArray(record?.messages)) for (const message of record.messages) contents.push(message?.content);
  const found: Payload[] = [];
  for (const content of contents) {
    if (!Array.isArray(content)) continue;
    for (const part of content) {
      if (typeof part?.image_url?.url === "string") found.push({ holder: part.image_url, key: "url" });
      if (typeof part?.file?.file_data === "string") found.push({ holder: part.file, key: "file_data" });
    }
  }
  return found;
}

/**
 * Whether every URL lifted out of the body stood in an image part of the question (`content`),
 * once those of other parts are put back as the strings they were: a document's (read as text by
 * document-parts.ts), and any in `messages`, which the route reads as given. A URL lifted from
 * anywhere else (a text that is one) has the body parsed whole instead.
 */
function keepsLiftedImagesOnly(body: unknown, lifted: LiftedDataUrls): boolean {
  const question = new Set(payloads({ content: (body as { content?: unknown } | null)?.content }).map((p) => p.holder));
  let images = 0;
  for (const { holder, key } of payloads(body)) {
    const marker = holder[key];
    if (typeof marker !== "string" || !lifted.has(marker)) continue;
    if (key === "url" && question.has(holder)) images++;
    else holder[key] = lifted.restore(marker);
  }
  return images === lifted.size;
}

/**
 * The body's size as JSON without its attachments' URLs. They are blanked while it is measured
 * rather than subtracted from the whole body's JSON: that would copy every attachment once more.
 */
function sizeWithoutAttachments(body: unknown): number {
  const found = payloads(body);
  const kept = found.map(({ holder, key }) => holder[key]);
  for (const { holder, key } of found) holder[key] = "";
  try {
    return Buffer.byteLength(JSON.stringify(body ?? null));
  } finally {
    found.forEach(({ holder, key }, index) => {
      holder[key] = kept[index];
    });
  }
}

/** Reads `/api/chat`'s JSON body: at most MAX_BODY_BYTES plus the images and documents the caps allow. */
export async function readChatBody(
  request: Request,
  maxBodyBytes: number,
  caps: { images: AttachmentCaps; documents: AttachmentCaps },
  arrival: BodyLimits = {},
): Promise<unknown> {
  const bytes = await readJsonBytes(request, chatBodyLimit(maxBodyBytes, caps.images, caps.documents), arrival);
  if (bytes === undefined) return {};
  const { json, lifted } = liftDataUrls(bytes);
  // Decoded, each image and the store's copy of it; base64 holds 3 bytes in 4.
  arrival.reservation?.add(Math.ceil((lifted.base64Bytes * 3) / 4) * DECODED_IMAGE_BYTE_WEIGHT);
  let body = parseJson(json, arrival.reservation);
  if (!keepsLiftedImagesOnly(body, lifted)) body = parseJson(bytes, arrival.reservation);
  else liftedOf.set(request, lifted);
  // Measured as JSON again: the client's spacing does not count, base64 is ASCII either way.
  if (sizeWithoutAttachments(body) > maxBodyBytes) throw new BodyTooLargeError(maxBodyBytes);
  return body;
}
