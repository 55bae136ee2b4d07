/**
 * Stop, as every route that offers it does it: the generation is cancelled now (its upstream call
 * aborted, wherever it runs), and the answer waits for its recorded end, which an abort makes
 * immediate, or for a bound, past which the client is told it is still stopping.
 */
import type { GenerationOutcome } from "../contract.ts";
import type { GenerationView } from "../generation/view.ts";

const STOP_WAIT_MS = 5_000;

/** Stops `generation`; its outcome once recorded, undefined if that took longer than the bound. */
export async function stopGeneration(generation: GenerationView): Promise<GenerationOutcome | undefined> {
  generation.cancel("stop");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), STOP_WAIT_MS);
  });
  try {
    return await Promise.race([generation.settled, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
