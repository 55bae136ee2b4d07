/**
 * The body of `POST /api/chat`: the one route whose body may be larger than MAX_BODY_BYTES, and
 * only by its attachments. It is read up to the size the image and document caps need, and then
 * everything but the attachments' `data:` URLs must still fit MAX_BODY_BYTES, so a long text is
 * refused as before.
 */
import type { DocumentLimits, ImageLimits } from "../config.ts";
import { type BodyLimits, BodyTooLargeError, readJsonBody } from "./body.ts";

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
  const body = await readJsonBody(request, chatBodyLimit(maxBodyBytes, caps.images, caps.documents), arrival);
  // Measured as JSON again: the client's spacing does not count, base64 is ASCII either way.
  if (sizeWithoutAttachments(body) > maxBodyBytes) throw new BodyTooLargeError(maxBodyBytes);
  return body;
}
