/**
 * A question sent as OpenAI content parts (`[{type:"text",text},{type:"image_url",image_url:{url}}]`)
 * taken apart into its text and its images, each checked before anything is stored: at most
 * IMAGE_MAX_COUNT images, each a `data:` URL (a remote URL would have the model's server fetch
 * whatever a user names), at most IMAGE_MAX_BYTES once decoded, and PNG, JPEG, WebP or GIF by its
 * own bytes, whatever type it declares.
 */
import type { ImageLimits } from "../config.ts";
import type { ContentPart } from "../contract.ts";
import { ACCEPTED_IMAGE_TYPES, type ImageMediaType, type NewImage, sniffImageType } from "../conversations/images.ts";
import { SluiceError, ValidationError } from "../errors.ts";
import { decodeBase64Bytes, decodedSize, type LiftedDataUrls } from "./lifted-data-urls.ts";

export class ImageTooLargeError extends SluiceError {
  override name = "ImageTooLargeError";
  constructor(field: string, limit: number) {
    super("image_too_large", `${field}: an image may be at most ${limit} bytes`, 413, { field });
  }
}

const DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/]*={0,2})$/i;
const DATA_URL_HEADER = /^data:([a-z]+\/[a-z0-9.+-]+);base64$/i;

export interface Question {
  text: string;
  images: NewImage[];
}

/**
 * The JSON body bytes `/api/chat` must accept for a question with the most and largest images:
 * the usual limit, plus each image in base64 (4 characters per 3 bytes) and its part's framing.
 */
export function chatBodyLimit(maxBodyBytes: number, limits: ImageLimits): number {
  return maxBodyBytes + limits.maxCount * (Math.ceil(limits.maxBytes / 3) * 4 + 256);
}

/**
 * The text and images of `content`; throws a 400 naming the field, or a 413 for an image too large.
 * An image whose URL the body reader lifted out (`lifted`) is decoded from its bytes.
 */
export function readQuestion(
  content: string | ContentPart[],
  limits: ImageLimits,
  lifted: LiftedDataUrls | undefined = undefined,
): Question {
  if (typeof content === "string") return { text: content, images: [] };
  const imageCount = content.filter((part) => part.type === "image_url").length;
  if (imageCount > limits.maxCount)
    throw new ValidationError(
      "content",
      limits.maxCount === 0 ? "this server takes no images" : `at most ${limits.maxCount} images per message`,
    );
  const texts: string[] = [];
  const images: NewImage[] = [];
  content.forEach((part, index) => {
    if (part.type === "text") texts.push(part.text);
    else images.push(readImage(part.image_url.url, `content[${index}].image_url.url`, limits.maxBytes, lifted));
  });
  // Empty text and no image is refused by the route, which alone knows whether it is a Retry.
  return { text: texts.join("\n"), images };
}

function readImage(url: string, field: string, maxBytes: number, lifted: LiftedDataUrls | undefined): NewImage {
  const bytes = lifted?.take(url);
  const match = bytes ? DATA_URL_HEADER.exec(bytes.header) : DATA_URL.exec(url);
  if (!match) throw new ValidationError(field, "must be a data: URL with base64 image bytes");
  const declared = (match[1] as string).toLowerCase();
  if (!ACCEPTED_IMAGE_TYPES.includes(declared as ImageMediaType))
    throw new ValidationError(field, `${declared} is not accepted: send PNG, JPEG, WebP or GIF`);
  const base64 = bytes ? bytes.base64 : (match[2] as string);
  // Refused before decoding: the decoded size follows from the length.
  if (decodedSize(base64) > maxBytes) throw new ImageTooLargeError(field, maxBytes);
  const data = typeof base64 === "string" ? decodeBase64(base64) : decodeBase64Bytes(base64);
  if (!data) throw new ValidationError(field, "must be a data: URL with base64 image bytes");
  const actual = sniffImageType(data);
  if (actual !== declared)
    throw new ValidationError(field, `the bytes are ${actual ?? "not an image"}, not ${declared}`);
  return { id: crypto.randomUUID(), media_type: actual, data };
}

/**
 * The decoded bytes themselves (a Buffer is a Uint8Array), not a second copy of every image; a
 * small one, which shares the runtime's Buffer pool with other data, is copied out of it.
 */
function decodeBase64(base64: string): Uint8Array {
  const decoded = Buffer.from(base64, "base64");
  return decoded.byteLength === decoded.buffer.byteLength ? decoded : new Uint8Array(decoded);
}
