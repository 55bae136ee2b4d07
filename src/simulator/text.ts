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

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

const spaced = (words: readonly string[]) => words.map((word) => ` ${word}`);

// Every token is built once here, so the chunk encoder's cache (chunks.ts, one lookup per
// token) finds the same string each time instead of encoding a new one.
const TOKENS = {
  determiners: spaced(DETERMINERS),
  /** A sentence always opens with a determiner: "The" at a paragraph's start, " The" after a ".". */
  paragraphOpeners: DETERMINERS.map(capitalize),
  sentenceOpeners: spaced(DETERMINERS.map(capitalize)),
  adjectives: spaced(ADJECTIVES),
  nouns: spaced(NOUNS),
  verbs: spaced(VERBS),
  prepositions: spaced(PREPOSITIONS),
  conjunctions: spaced(CONJUNCTIONS),
};

/** Appends one sentence's tokens to `out`: "The old river drifted past one hill, and … ." */
function appendSentence(random: () => number, out: string[], opensParagraph: boolean): void {
  let opener: readonly string[] = opensParagraph ? TOKENS.paragraphOpeners : TOKENS.sentenceOpeners;
  const clause = () => {
    for (let phrase = 0; phrase < 2; phrase++) {
      out.push(pick(random, opener));
      opener = TOKENS.determiners;
      if (random() < 0.6) out.push(pick(random, TOKENS.adjectives));
      out.push(pick(random, TOKENS.nouns));
      if (phrase === 0) out.push(pick(random, TOKENS.verbs), pick(random, TOKENS.prepositions));
    }
  };
  clause();
  if (random() < 0.4) {
    out.push(",", pick(random, TOKENS.conjunctions));
    clause();
  }
  out.push(".");
}

/**
 * An endless token source for `seed`: each call returns the next token. The same seed always
 * gives the same sequence, so any answer is a prefix of the longer answers to the same messages.
 */
export function createTextTokens(seed: number): () => string {
  const random = createRandom(seed);
  const paragraph: string[] = [];
  let index = 0;
  return () => {
    if (index >= paragraph.length) {
      paragraph.length = 0;
      index = 0;
      const sentences = 2 + Math.floor(random() * 3);
      for (let s = 0; s < sentences; s++) appendSentence(random, paragraph, s === 0);
      paragraph.push("\n\n");
    }
    return paragraph[index++] as string;
  };
}
