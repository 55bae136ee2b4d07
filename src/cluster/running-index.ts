/**
 * Every instance's running generations in one Redis hash, for the admin page: an instance adds a
 * generation when it announces it and removes it when the generation's end is mirrored (both by
 * log-mirror.ts, in the calls it makes anyway), and writes its own entries again after Redis
 * comes back (a restart empties the hash). An entry whose instance died without a word is
 * left out of the list while the instance's lease is missing, and removed once it has been
 * missing long enough to call the instance dead (instance-lease.ts).
 */
import { SharedStateUnavailableError } from "../errors.ts";
import type { Generation } from "../generation/generation.ts";
import type { GenerationRegistry } from "../generation/registry.ts";
import type { RunningGeneration, RunningGenerations } from "../generation/running.ts";
import { DeathWatch, type InstanceLease } from "./instance-lease.ts";
import { keys } from "./keys.ts";
import type { Redis } from "./redis-client.ts";

/** A running generation's entry in the hash (its field is the generation's id). */
export function runningEntry(owner: string, model: string, instance: string, startedAt: number): string {
  return JSON.stringify({ owner, model, instance, started_at: new Date(startedAt).toISOString() });
}

function entryOf(generation: Generation, instance: string): string {
  return runningEntry(generation.owner, generation.model, instance, generation.startedAt);
}

export class RunningIndex implements RunningGenerations {
  readonly #deaths: DeathWatch;

  constructor(
    private readonly redis: Redis,
    private readonly lease: InstanceLease,
    private readonly registry: GenerationRegistry,
  ) {
    this.#deaths = new DeathWatch(lease);
    redis.on("ready", () => void this.#rewrite().catch(() => {}));
  }

  async list(): Promise<RunningGeneration[]> {
    let entries: Record<string, string>;
    try {
      entries = await this.redis.hgetall(keys.runningGenerations);
    } catch {
      throw new SharedStateUnavailableError();
    }
    const running = Object.entries(entries).flatMap(([id, json]) => parseEntry(id, json));
    const instances = running.map((entry) => entry.instance);
    const [alive, dead] = await Promise.all([this.lease.alive(instances), this.#deaths.dead(instances)]);
    const gone = running.filter((entry) => dead.has(entry.instance)).map((entry) => entry.id);
    if (gone.length > 0) await this.redis.hdel(keys.runningGenerations, ...gone).catch(() => {});
    return running
      .filter((entry) => alive.has(entry.instance))
      .sort((a, b) => a.started_at.localeCompare(b.started_at));
  }

  /** After an outage: this instance's entries as its registry has them now. */
  async #rewrite(): Promise<void> {
    const instance = this.lease.instance;
    const listed = Object.entries(await this.redis.hgetall(keys.runningGenerations)).flatMap(([id, json]) =>
      parseEntry(id, json),
    );
    const running = this.registry.running();
    const ids = new Set(running.map((generation) => generation.id));
    const stale = listed.filter((entry) => entry.instance === instance && !ids.has(entry.id)).map((entry) => entry.id);
    const pipeline = this.redis.pipeline();
    if (stale.length > 0) pipeline.hdel(keys.runningGenerations, ...stale);
    for (const generation of running)
      pipeline.hset(keys.runningGenerations, generation.id, entryOf(generation, instance));
    await pipeline.exec();
  }
}

function parseEntry(id: string, json: string): RunningGeneration[] {
  try {
    const entry = JSON.parse(json) as Omit<RunningGeneration, "id">;
    return typeof entry.owner === "string" && typeof entry.instance === "string" ? [{ id, ...entry }] : [];
  } catch {
    return [];
  }
}
