/**
 * Text measured and cut in UTF-8 bytes: what a generation's log, a tool's result and the store
 * count, since that is what travels on the wire and sits on disk.
 */

/** UTF-8 bytes of `text`: what the log holds on the wire and in the store. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** The longest prefix of `text` of at most `budget` UTF-8 bytes, never splitting a surrogate pair. */
export function cutToBytes(text: string, budget: number): string {
  // A UTF-16 unit is 1 to 3 UTF-8 bytes: binary search for the longest prefix that fits (rare path).
  let low = 0;
  let high = Math.min(text.length, Math.max(0, budget));
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (utf8Bytes(text.slice(0, middle)) <= budget) low = middle;
    else high = middle - 1;
  }
  const last = text.charCodeAt(low - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? low - 1 : low);
}
