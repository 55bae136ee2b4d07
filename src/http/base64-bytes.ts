/**
 * The bytes of a `data:` URL's base64, for the attachments of a question: their size known from
 * the length alone, so one too large is refused before anything is decoded, and the decoded bytes
 * held once.
 */

/** How many bytes `base64` (unbroken, padded or not) decodes to. */
export function decodedSize(base64: string): number {
  return Math.floor((base64.length * 3) / 4) - (base64.match(/=+$/)?.[0].length ?? 0);
}

/** The bytes of `base64`, in a buffer of their own. */
export function decodeBase64(base64: string): Uint8Array {
  // The decoded bytes themselves (a Buffer is a Uint8Array), not a second copy of every file;
  // a small one, which shares the runtime's Buffer pool with other data, is copied out of it.
  const decoded = Buffer.from(base64, "base64");
  return decoded.byteLength === decoded.buffer.byteLength ? decoded : new Uint8Array(decoded);
}
