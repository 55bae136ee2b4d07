/**
 * Images sent with a question (for vision models): what the store keeps of them, and how their
 * type is known. The type is read from the bytes themselves, never taken from what a client
 * declared: a file named .png that is something else is refused before anything is stored.
 */

/** The image formats vision models accept (OpenAI, Ollama, vLLM): PNG, JPEG, WebP and GIF. */
export type ImageMediaType = "image/png" | "image/jpeg" | "image/webp" | "image/gif";

/** Every {@link ImageMediaType}, for checks and for the page's file picker. */
export const ACCEPTED_IMAGE_TYPES: readonly ImageMediaType[] = ["image/png", "image/jpeg", "image/webp", "image/gif"];

/** An image as a message lists it: enough to show it, not its bytes. */
export interface ImageRef {
  id: string;
  media_type: ImageMediaType;
  /** Its size in bytes. */
  size: number;
}

/** An image to store with a new question. */
export interface NewImage {
  id: string;
  media_type: ImageMediaType;
  data: Uint8Array;
}

/** A stored image with its bytes, and the message it belongs to. */
export interface StoredImage extends NewImage {
  message_id: string;
}

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0) =>
  signature.every((byte, i) => bytes[at + i] === byte);

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/**
 * The format the bytes are in, by their signature (magic bytes), or undefined for anything else.
 * PNG: 89 50 4E 47 0D 0A 1A 0A; JPEG: FF D8 FF; GIF: "GIF87a"/"GIF89a"; WebP: "RIFF" size "WEBP".
 */
export function sniffImageType(bytes: Uint8Array): ImageMediaType | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "image/jpeg";
  if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) return "image/gif";
  if (startsWith(bytes, ascii("RIFF")) && startsWith(bytes, ascii("WEBP"), 8)) return "image/webp";
  return undefined;
}
