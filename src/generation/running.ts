/**
 * The generations running now, for the admin page: this instance's (the registry), or with
 * REDIS_URL every instance's (cluster/running-index.ts). Stop goes through the directory that
 * finds a generation wherever it runs, like its owner's own Stop.
 */
import type { GenerationRegistry } from "./registry.ts";

export interface RunningGeneration {
  id: string;
  owner: string;
  model: string;
  /** The instance running it (INSTANCE_ID). */
  instance: string;
  /** ISO 8601. */
  started_at: string;
}

export interface RunningGenerations {
  /** Every generation running now, oldest first. */
  list(): Promise<RunningGeneration[]>;
}

/** This instance's running generations, straight from its registry. */
export function localRunning(registry: GenerationRegistry, instance: string): RunningGenerations {
  return {
    async list() {
      return registry
        .running()
        .sort((a, b) => a.startedAt - b.startedAt)
        .map(({ id, owner, model, startedAt }) => ({
          id,
          owner,
          model,
          instance,
          started_at: new Date(startedAt).toISOString(),
        }));
    },
  };
}
