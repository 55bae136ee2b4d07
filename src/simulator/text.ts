/**
 * Deterministic prose from a tiny grammar, cut into tokens the way real models cut English:
 * words carry their leading space (" river"), punctuation is its own token, paragraphs are
 * separated by a "\n\n" token. Readable enough for a demo, cheap enough for a load test.
 */
import { createRandom, pick } from "./prng.ts";

const DETERMINERS = ["the", "the", "one", "every", "that", "this"];
// biome-ignore format: a word list reads better in rows
const ADJECTIVES = [
  "quiet", "golden", "old", "distant", "silver", "gentle", "bright", "hidden", "small", "patient",
  "careful", "narrow", "ancient", "restless", "warm", "pale", "steady", "curious", "wide", "tired",
];
// biome-ignore format: a word list reads better in rows
const NOUNS = [
  "river", "lantern", "hill", "village", "garden", "window", "road", "forest", "harbor", "tower",
  "meadow", "bridge", "cloud", "stone", "traveler", "keeper", "letter", "song", "map", "signal",
];
// biome-ignore format: a word list reads better in rows
const VERBS = [
  "wandered", "drifted", "waited", "glowed", "rested", "turned", "climbed", "listened", "leaned", "moved",
  "shimmered", "paused", "hurried", "settled", "sang",
];
const PREPOSITIONS = ["past", "beneath", "beside", "across", "toward", "behind", "over", "near", "through", "along"];
const CONJUNCTIONS = ["and", "while", "until", "because", "so"];

/** The words of one sentence, punctuation included: "the old river drifted past one hill , and … ." */
function sentenceWords(random: () => number): string[] {
  const words: string[] = [];
  const nounPhrase = () => {
    words.push(pick(random, DETERMINERS));
    if (random() < 0.6) words.push(pick(random, ADJECTIVES));
    words.push(pick(random, NOUNS));
  };
  const clause = () => {
    nounPhrase();
    words.push(pick(random, VERBS), pick(random, PREPOSITIONS));
    nounPhrase();
  };
  clause();
  if (random() < 0.4) {
    words.push(",", pick(random, CONJUNCTIONS));
    clause();
  }
  words.push(".");
  return words;
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * An endless token source for `seed`: each call returns the next token. The same seed always
 * gives the same sequence, so any answer is a prefix of the longer answers to the same messages.
 */
export function createTextTokens(seed: number): () => string {
  const random = createRandom(seed);
  let pending: string[] = [];
  let index = 0;
  const refill = () => {
    pending = [];
    const sentences = 2 + Math.floor(random() * 3);
    for (let s = 0; s < sentences; s++) {
      const words = sentenceWords(random);
      words.forEach((word, i) => {
        if (word === "," || word === ".") pending.push(word);
        else if (i === 0) pending.push(`${s === 0 ? "" : " "}${capitalize(word)}`);
        else pending.push(` ${word}`);
      });
    }
    pending.push("\n\n");
    index = 0;
  };
  return () => {
    if (index >= pending.length) refill();
    return pending[index++] as string;
  };
}
