/**
 * This browser's localStorage, which may be off (private modes, storage blocked, quota full):
 * then what the page keeps lasts until it closes, and nothing fails.
 */

/** The value kept under `key`, or null. */
export function readStored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** Keeps `value` under `key`; an empty value removes it. */
export function writeStored(key: string, value: string): void {
  try {
    if (value === "") localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Kept for this page only.
  }
}
