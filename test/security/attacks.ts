/**
 * What the attacker suite tries, as data: each spelling of a path or a host that has, somewhere,
 * reached what it should not (leaks.ts recognises what it reached).
 */

/** Ways to name a file above `public/` (the repository root, where package.json lives). */
export function traversalTargets(file: string): string[] {
  return [
    `/../${file}`,
    `/assets/../${file}`,
    `/assets/../../${file}`,
    `/assets/./../${file}`,
    `/assets//../${file}`,
    `/%2e%2e/${file}`,
    `/assets/%2e%2e/${file}`,
    `/assets/%2E%2E/${file}`,
    `/assets/..%2f${file}`,
    `/assets/%2e%2e%2f${file}`,
    `/assets/..%5c${file}`,
    `/assets/..\\${file}`,
    `/assets\\..\\${file}`,
    `//${file}`,
    `/${file}`,
    `/assets/${file}`,
    `/./${file}`,
  ];
}

/** Spellings of the internal routes, none of which the public listener may answer. */
export const INTERNAL_PATHS = [
  "/metrics",
  "/metrics/",
  "//metrics",
  "/metrics/.",
  "/./metrics",
  "/%6detrics",
  "/METRICS",
  "/metrics?x=1",
  "/metrics;x",
  "/assets/../metrics",
  "/sim/stats",
  "/sim/stats/",
  "//sim/stats",
  "/sim//stats",
  "/sim/v1/models",
  "/sim/v1/chat/completions",
];

/** Host headers that have changed which route a path reaches (null: no Host header at all). */
export const HOSTS: (string | null)[] = ["localhost", "x", "ab", "abc", "abcd", "", null, "127.0.0.1"];
