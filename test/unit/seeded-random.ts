/** A repeatable stream of numbers in [0, 1) (a linear congruential generator), for tests that cut input at random places. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
