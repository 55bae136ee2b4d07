/**
 * The bench's opening cases: each conversation is seeded once, then opened `repeat` times under
 * each UI, the UIs alternating so the machine's load falls on both alike; the control page runs
 * beside each opening, as it does beside each stream.
 */
import type { Browser } from "playwright-core";
import { type MachineNoise, startNoiseProbe } from "./measure.ts";
import { OPEN_CASES } from "./open-cases.ts";
import { measureOpen, type OpenFigures } from "./open-measure.ts";
import type { PageServer } from "./page-build.ts";

export interface OpenRun {
  variant: string;
  case: string;
  title: string;
  /** One per opening. */
  figures: OpenFigures[];
  noise: MachineNoise[];
}

/** Whether `name` is an opening case. */
export const isOpenCase = (name: string) => name in OPEN_CASES;

/**
 * Runs opening cases `names` on the stack at `stackUrl`, under each UI of `servers`; `current` is
 * the variant that has `< n/m >` (switches are measured there only).
 */
export async function runOpenCases(
  browser: Browser,
  servers: Map<string, PageServer>,
  stackUrl: string,
  names: string[],
  options: { repeat: number; current: string },
): Promise<OpenRun[]> {
  const runs: OpenRun[] = [];
  for (const name of names) {
    const openCase = OPEN_CASES[name];
    if (!openCase) throw new Error(`CASES: unknown case "${name}"`);
    const seededAt = performance.now();
    const id = await openCase.seed(stackUrl);
    console.log(`${name}: seeded in ${Math.round(performance.now() - seededAt)} ms`);
    const byVariant = new Map<string, { figures: OpenFigures[]; noise: MachineNoise[] }>();
    for (const variant of servers.keys()) byVariant.set(variant, { figures: [], noise: [] });
    for (let round = 0; round < options.repeat; round++) {
      for (const [variant, server] of servers) {
        const probe = await startNoiseProbe(browser);
        const switches = openCase.switches && variant === options.current;
        const figures = await measureOpen(browser, server.url, id, switches);
        const noise = await probe.stop();
        byVariant.get(variant)?.figures.push(figures);
        byVariant.get(variant)?.noise.push(noise);
        console.log(JSON.stringify({ variant, case: name, ...figures, noise }));
      }
    }
    for (const [variant, kept] of byVariant) runs.push({ variant, case: name, title: openCase.title, ...kept });
  }
  return runs;
}
