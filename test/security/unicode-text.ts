/**
 * Random text for property tests of what users type: code points of every plane, combining
 * marks, the characters NFKD folds into punctuation or spaces (`⑴` → `(1)`, `ﷺ` → words with
 * spaces), and the syntax of SQL, FTS5 and tsquery, mixed. Never a lone surrogate: those cannot
 * be sent in a URL at all.
 */
import { createRandom } from "../../src/simulator/prng.ts";

/** Every letter, digit or mark whose NFKD form holds anything but letters, digits and marks. */
export const FOLDING_CODE_POINTS: readonly string[] = (() => {
  const found: string[] = [];
  for (let code = 0; code <= 0x10ffff; code++) {
    if (code >= 0xd800 && code <= 0xdfff) continue;
    const char = String.fromCodePoint(code);
    if (/[\p{L}\p{N}\p{M}]/u.test(char) && /[^\p{L}\p{N}\p{M}]/u.test(char.normalize("NFKD"))) found.push(char);
  }
  return found;
})();

const SYNTAX = [
  ..."'\"&|!:*()<>-\\%;,.^~@#$/[]{}=+?",
  " AND ",
  " OR ",
  " NOT ",
  " NEAR ",
  "--",
  "/*",
  "\0",
  "\t",
  "\n",
];
const MARKS = ["\u0300", "\u0301", "\u0345", "\u0308", "\u20dd", "\u1ab0", "\ufe20"];

/** One code point from anywhere in Unicode (all 17 planes), skipping surrogates. */
function anyCodePoint(random: () => number): string {
  const code = Math.floor(random() * 0x110000);
  return code >= 0xd800 && code <= 0xdfff ? "\ufffd" : String.fromCodePoint(code);
}

/** A generator of random query texts of 1 to `maxParts` parts, from `seed` (print it to replay a failure). */
export function randomTexts(seed: number, maxParts = 30): () => string {
  const random = createRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  const part = (): string => {
    const kind = random();
    if (kind < 0.3) return pick(FOLDING_CODE_POINTS);
    if (kind < 0.5) return anyCodePoint(random);
    if (kind < 0.65) return pick(SYNTAX);
    if (kind < 0.8) return pick(MARKS);
    return pick(["word", "café", "Straße", "İstanbul", "日本語", "ﬁ", "x"]);
  };
  return () => Array.from({ length: 1 + Math.floor(random() * maxParts) }, part).join("");
}
