/**
 * A seed from the conversation and a small, fast pseudo-random generator, so that the same
 * messages always produce the same answer (tests and load tests can predict it) without any
 * state kept between requests.
 */

/** FNV-1a (32-bit) over the UTF-16 code units of `parts`, each ended by a NUL so ["ab","c"] ≠ ["a","bc"]. */
export function hashStrings(parts: readonly string[]): number {
  let hash = 0x811c9dc5;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) {
      hash ^= part.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
    hash = Math.imul(hash ^ 0, 0x01000193);
  }
  return hash >>> 0;
}

/** Mulberry32: a 32-bit state, good spread, and a handful of integer operations per number. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One element of `items`, chosen by `random`. */
export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}
