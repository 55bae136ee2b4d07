/**
 * The bytes of a `data:` URL's base64, for the attachments of a question: their size known from
 * the length alone, so one too large is refused before anything is decoded, and the decoded bytes
 * held once.
 */

const EQUALS = 0x3d;
const isPadding = (unit: unknown) => unit === "=" || unit === EQUALS;

/** How many bytes `base64` (unbroken, padded or not; a string or its bytes) decodes to. */
export function decodedSize(base64: { length: number; at(index: number): unknown }): number {
  let padding = 0;
  while (padding < 2 && padding < base64.length && isPadding(base64.at(base64.length - 1 - padding))) padding++;
  return Math.floor(((base64.length - padding) * 3) / 4);
}

/** The bytes of `base64`, in a buffer of their own. */
export function decodeBase64(base64: string): Uint8Array {
  // The decoded bytes themselves (a Buffer is a Uint8Array), not a second copy of every file;
  // a small one, which shares the runtime's Buffer pool with other data, is copied out of it.
  const decoded = Buffer.from(base64, "base64");
  return decoded.byteLength === decoded.buffer.byteLength ? decoded : new Uint8Array(decoded);
}
