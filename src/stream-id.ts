/**
 * Stream ids: 128 random bits, URL-safe. Nobody can guess one, and ownership is checked all the
 * same. Made by the registry, or beforehand by the conversation store, which records the stream
 * before its model call starts.
 */
export function newStreamId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64url");
}
