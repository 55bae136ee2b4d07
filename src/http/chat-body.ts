/**
 * The body of `POST /api/chat`: the one route whose body may be larger than MAX_BODY_BYTES, and
 * only by its images. It is read up to the size the image caps need, and then everything but the
 * images' `data:` URLs must still fit MAX_BODY_BYTES, so a long text is refused as before.
 */
import type { ImageLimits } from "../config.ts";
import { type BodyLimits, BodyTooLargeError, readJsonBody } from "./body.ts";
import { chatBodyLimit } from "./image-parts.ts";

/** Every `image_url` of the body's `content` parts (and `messages[].content`) that holds a URL string. */
function imageUrls(body: unknown): { url: string }[] {
  const record = body as { content?: unknown; messages?: unknown } | null;
  const contents = [record?.content];
  if (Array.isArray(record?.messages)) for (const message of record.messages) contents.push(message?.content);
  const found: { url: string }[] = [];
  for (const content of contents) {
    if (!Array.isArray(content)) continue;
    for (const part of content) if (typeof part?.image_url?.url === "string") found.push(part.image_url);
  }
  return found;
}

/**
 * The body's size as JSON without its images' URLs. The URLs are blanked while it is measured
 * rather than subtracted from the whole body's JSON: that would copy every image once more.
 */
function sizeWithoutImages(body: unknown): number {
  const images = imageUrls(body);
  const urls = images.map((image) => image.url);
  for (const image of images) image.url = "";
  try {
    return Buffer.byteLength(JSON.stringify(body ?? null));
  } finally {
    images.forEach((image, index) => {
      image.url = urls[index] as string;
    });
  }
}

/** Reads `/api/chat`'s JSON body: at most MAX_BODY_BYTES plus the images the caps allow. */
export async function readChatBody(
  request: Request,
  maxBodyBytes: number,
  limits: ImageLimits,
  arrival: BodyLimits = {},
): Promise<unknown> {
  const body = await readJsonBody(request, chatBodyLimit(maxBodyBytes, limits), arrival);
  // Measured as JSON again: the client's spacing does not count, base64 is ASCII either way.
  if (sizeWithoutImages(body) > maxBodyBytes) throw new BodyTooLargeError(maxBodyBytes);
  return body;
}
