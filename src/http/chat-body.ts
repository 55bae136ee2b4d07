/**
 * The body of `POST /api/chat`: the one route whose body may be larger than MAX_BODY_BYTES, and
 * only by its images. It is read up to the size the image caps need, and then everything but the
 * images' `data:` URLs must still fit MAX_BODY_BYTES, so a long text is refused as before. The
 * images' URLs are lifted out of the bytes before the rest is parsed (lifted-data-urls.ts).
 */
import type { ImageLimits } from "../config.ts";
import { DECODED_IMAGE_BYTE_WEIGHT } from "../limits/inflight-bytes.ts";
import { type BodyLimits, BodyTooLargeError, parseJson, readJsonBytes } from "./body.ts";
import { chatBodyLimit } from "./image-parts.ts";
import { LiftedDataUrls, liftDataUrls } from "./lifted-data-urls.ts";

const liftedOf = new WeakMap<Request, LiftedDataUrls>();

/** The `data:` URLs lifted out of `request`'s body, by the markers its image parts hold instead. */
export function liftedDataUrlsOf(request: Request): LiftedDataUrls {
  return liftedOf.get(request) ?? new LiftedDataUrls();
}

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
  const bytes = await readJsonBytes(request, chatBodyLimit(maxBodyBytes, limits), arrival);
  if (bytes === undefined) return {};
  const { json, lifted } = liftDataUrls(bytes);
  // Decoded, each image and the store's copy of it; base64 holds 3 bytes in 4.
  arrival.reservation?.add(Math.ceil((lifted.base64Bytes * 3) / 4) * DECODED_IMAGE_BYTE_WEIGHT);
  let body = parseJson(json, arrival.reservation);
  // A URL lifted from anywhere but an image part (a text that holds one): the body is parsed whole.
  if (imageUrls(body).filter((image) => lifted.has(image.url)).length !== lifted.size)
    body = parseJson(bytes, arrival.reservation);
  else liftedOf.set(request, lifted);
  // Measured as JSON again: the client's spacing does not count, base64 is ASCII either way.
  if (sizeWithoutImages(body) > maxBodyBytes) throw new BodyTooLargeError(maxBodyBytes);
  return body;
}
