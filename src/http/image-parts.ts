/**
 * An image of a question (`{type:"image_url",image_url:{url}}`), checked before anything is
 * stored: a `data:` URL (a remote URL would have the model's server fetch whatever a user names),
 * at most IMAGE_MAX_BYTES once decoded, and PNG, JPEG, WebP or GIF by its own bytes, whatever type
 * it declares. question-parts.ts takes a question apart and counts its images.
 */
import { ACCEPTED_IMAGE_TYPES, type ImageMediaType, type NewImage, sniffImageType } from "../conversations/images.ts";
import { SluiceError, ValidationError } from "../errors.ts";
import { decodeBase64, decodedSize } from "./base64-bytes.ts";
import { decodeBase64Bytes, type LiftedDataUrls } from "./lifted-data-urls.ts";

export class ImageTooLargeError extends SluiceError {
  override name = "ImageTooLargeError";
  constructor(field: string, limit: number) {
    super("image_too_large", `${field}: an image may be at most ${limit} bytes`, 413, { field });
  }
}

const DATA_URL = /^data:([a-z]+\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/]*={0,2})$/i;
const DATA_URL_HEADER = /^data:([a-z]+\/[a-z0-9.+-]+);base64$/i;

/**
 * An image part's `data:` URL as an image to store; throws a 400 naming `field`, or a 413 for one
 * too large. An image whose URL the body reader lifted out (`lifted`) is decoded from its bytes.
 */
export function readImage(url: string, field: string, maxBytes: number, lifted?: LiftedDataUrls): NewImage {
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
