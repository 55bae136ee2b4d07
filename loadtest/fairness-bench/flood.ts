/**
 * One measurement of the store fairness bench: alice lists her conversations, one request after
 * the other, first alone and then while bob runs `loops` search loops over his long history.
 */
import { COMMON_WORDS } from "../lib/seed-conversations.ts";

export interface FloodSettings {
  /** Bob's search loops running at once. */
  loops: number;
  /** Alice alone, before the flood. */
  baselineMs: number;
  /** Alice during the flood. */
  floodMs: number;
  /** Alice's pause between two lists, as a person clicking would leave. */
  pauseMs: number;
}

export interface FloodFigures {
  /** Alice's list latencies, ms, alone and during the flood. */
  alone: number[];
  flooded: number[];
  /** Bob's searches during the flood: their latencies (ms), and how many were refused, by code. */
  searches: number[];
  refused: Record<string, number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GET `path` as the user of `token`; the time to the whole body, and its status and error code. */
async function timedGet(base: string, path: string, token: string) {
  const started = performance.now();
  const response = await fetch(`${base}${path}`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(120_000),
  });
  const body = (await response.json()) as { error?: { code: string } };
  return { ms: performance.now() - started, status: response.status, code: body.error?.code };
}

/** Alice's lists, back to back with a pause, until `until` (performance.now()). */
async function aliceLists(base: string, token: string, until: number, pauseMs: number): Promise<number[]> {
  const latencies: number[] = [];
  while (performance.now() < until) {
    const { ms, status } = await timedGet(base, "/api/conversations", token);
    if (status !== 200) throw new Error(`alice's list answered ${status}`);
    latencies.push(ms);
    await sleep(pauseMs);
  }
  return latencies;
}

/** Runs the measurement against the app at `base`, with alice's and bob's tokens. */
export async function measureFlood(
  base: string,
  tokens: { alice: string; bob: string },
  settings: FloodSettings,
): Promise<FloodFigures> {
  const alone = await aliceLists(base, tokens.alice, performance.now() + settings.baselineMs, settings.pauseMs);
  const path = `/api/conversations?q=${encodeURIComponent(COMMON_WORDS.join(" "))}`;
  const searches: number[] = [];
  const refused: Record<string, number> = {};
  let flooding = true;
  const loop = async () => {
    while (flooding) {
      const { ms, status, code } = await timedGet(base, path, tokens.bob);
      if (status === 200) searches.push(ms);
      else refused[code ?? `http_${status}`] = (refused[code ?? `http_${status}`] ?? 0) + 1;
    }
  };
  const loops = Array.from({ length: settings.loops }, loop);
  const flooded = await aliceLists(base, tokens.alice, performance.now() + settings.floodMs, settings.pauseMs);
  flooding = false;
  await Promise.all(loops);
  return { alone, flooded, searches, refused };
}
