/**
 * The model's own counters, read inside the container that runs the model, on its loopback: the
 * public port is not needed (and /metrics and /sim/stats will leave it), so this is the one place
 * that knows where they are.
 */
import { waitUntil } from "../../harness/client/poll.ts";
import type { SimStats } from "../../harness/client/sim-stats.ts";
import type { ComposeProject } from "./project.ts";

/** GET the variant's stats URL from inside its model container (there is no curl; Bun fetches). */
export async function modelStats(project: ComposeProject): Promise<SimStats> {
  const { service, statsUrl } = project.variant.model;
  const script = `fetch(${JSON.stringify(statsUrl)}).then((r) => r.text()).then((t) => process.stdout.write(t))`;
  const output = await project.exec(service, ["bun", "-e", script]);
  return JSON.parse(output) as SimStats;
}

/** Polls the model's counters until `done` holds for them; throws after `timeoutMs`. */
export function waitForModel(
  project: ComposeProject,
  what: string,
  done: (stats: SimStats) => boolean,
  timeoutMs = 10_000,
) {
  return waitUntil(`the model to show ${what}`, () => modelStats(project), done, timeoutMs, 250);
}
