/**
 * The model's own counters, read inside the container that runs the model, on its loopback: the
 * public port is not needed (and /metrics and /sim/stats will leave it), so this is the one place
 * that knows where they are.
 */
import type { SimulatorStats } from "../e2e/observe.ts";
import type { ComposeProject } from "./project.ts";

/** GET the variant's stats URL from inside its model container (there is no curl; Bun fetches). */
export async function modelStats(project: ComposeProject): Promise<SimulatorStats> {
  const { service, statsUrl } = project.variant.model;
  const script = `fetch(${JSON.stringify(statsUrl)}).then((r) => r.text()).then((t) => process.stdout.write(t))`;
  const output = await project.exec(service, ["bun", "-e", script]);
  return JSON.parse(output) as SimulatorStats;
}

/** Polls the model's counters until `done` holds for them; throws after `timeoutMs`. */
export async function waitForModel(
  project: ComposeProject,
  what: string,
  done: (stats: SimulatorStats) => boolean,
  timeoutMs = 10_000,
): Promise<SimulatorStats> {
  const deadline = performance.now() + timeoutMs;
  let stats = await modelStats(project);
  while (!done(stats)) {
    if (performance.now() > deadline) throw new Error(`the model never showed ${what}: ${JSON.stringify(stats)}`);
    await Bun.sleep(250);
    stats = await modelStats(project);
  }
  return stats;
}
