/**
 * Copies this instance's generations into Redis as they run, for viewers on other instances:
 * each event is appended to the generation's stream (the replayable log) and published on its
 * channel (the live feed), by one script call per turn of the event loop for all generations.
 *
 * The log is bounded like the generation itself (GENERATION_MAX_EVENTS entries, GENERATION_MAX_BYTES
 * of text: the generation ends before either is passed; MAXLEN is a second line) and expires
 * STREAM_RETENTION_MS after the end. While Redis is unreachable nothing is written; when it is
 * back, every log still running is written again whole from memory, so a Redis restart loses no
 * event of a running answer (viewers skip the ids they have).
 */
import { SharedStateUnavailableError } from "../errors.ts";
import type { Generation } from "../generation/generation.ts";
import { channels, keys } from "./keys.ts";
import type { Redis } from "./redis-client.ts";

export interface MirrorSettings {
  instance: string;
  retentionMs: number;
  maxEvents: number;
}

// A running log's keys expire this long after their last refresh: a log whose owner died without
// a word does not stay in Redis for ever.
const RUNNING_EXPIRY_MS = 10 * 60_000;
const REFRESH_EVERY_MS = 60_000;

// KEYS: the log of each event, in order. ARGV: the cap, then each event's channel and JSON.
const APPEND_EVENTS = `
for i = 1, #KEYS do
  redis.call('XADD', KEYS[i], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[2 * i + 1])
  redis.call('PUBLISH', ARGV[2 * i], ARGV[2 * i + 1])
end
return #KEYS
`;
const APPEND = "sluiceAppendEvents";
const EVENTS_PER_CALL = 1_000;
type Appender = Record<typeof APPEND, (keyCount: number, ...args: string[]) => unknown>;

/** One flush: commands before the events (a rewrite's reset), the events, the expiries after them. */
interface Batch {
  pipeline: ReturnType<Redis["pipeline"]>;
  logs: string[];
  appends: string[];
  expiries: [string, number][];
}

interface Mirrored {
  generation: Generation;
  /** Events written so far. */
  written: number;
  /** The meta hash is still to be written (and the log to be cleared: a rewrite). */
  fresh: boolean;
  expiryRefreshedAt: number;
}

export class LogMirror {
  readonly #mirrored = new Set<Mirrored>();
  readonly #dirty = new Set<Mirrored>();
  #scheduled = false;

  constructor(
    private readonly redis: Redis,
    private readonly settings: MirrorSettings,
  ) {
    redis.defineCommand(APPEND, { lua: APPEND_EVENTS });
    redis.on("ready", () => this.#rewriteAll());
  }

  /**
   * Makes generation `id` known to every instance before it starts, so that a viewer sent to
   * another instance right after the POST finds it. Throws while Redis is unreachable.
   */
  async announce(id: string, owner: string, model: string): Promise<void> {
    const meta = keys.meta(id);
    const expiry = this.settings.retentionMs + RUNNING_EXPIRY_MS;
    try {
      await this.redis
        .multi()
        .hset(meta, { owner, instance: this.settings.instance, model })
        .pexpire(meta, expiry)
        .exec();
    } catch {
      throw new SharedStateUnavailableError();
    }
  }

  /** Mirrors `generation`, announced already, from its first event to its end. */
  mirror(generation: Generation): void {
    const entry: Mirrored = { generation, written: 0, fresh: false, expiryRefreshedAt: 0 };
    this.#mirrored.add(entry);
    const stop = generation.onEvent(() => this.#mark(entry));
    void generation.settled.then(stop);
    this.#mark(entry);
  }

  /** Generations being mirrored (running, or ended with their end not yet written). */
  get size(): number {
    return this.#mirrored.size;
  }

  #mark(entry: Mirrored): void {
    this.#dirty.add(entry);
    if (this.#scheduled) return;
    this.#scheduled = true;
    // Tokens that arrive in the same turn of the event loop leave in one pipeline.
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    // Unreachable: the events wait in memory; #rewriteAll writes them when Redis is back.
    if (this.redis.status !== "ready") return;
    const entries = [...this.#dirty];
    this.#dirty.clear();
    const batch: Batch = {
      pipeline: this.redis.pipeline(),
      logs: [],
      appends: [String(this.settings.maxEvents)],
      expiries: [],
    };
    const now = Date.now();
    const completed = entries.filter((entry) => this.#write(batch, entry, now));
    const { pipeline, logs, appends, expiries } = batch;
    // The events of the turn in one command (per 1,000: a rewrite after an outage must not block
    // Redis with one huge call): one reply to parse instead of two per event.
    const append = (pipeline as unknown as Appender)[APPEND].bind(pipeline);
    for (let first = 0; first < logs.length; first += EVENTS_PER_CALL) {
      const last = Math.min(logs.length, first + EVENTS_PER_CALL);
      append(
        last - first,
        ...logs.slice(first, last),
        appends[0] as string,
        ...appends.slice(1 + 2 * first, 1 + 2 * last),
      );
    }
    for (const [key, milliseconds] of expiries) pipeline.pexpire(key, milliseconds);
    pipeline.exec().then(
      (results) => {
        if (results?.some(([error]) => error)) return this.#lost();
        for (const entry of completed) this.#mirrored.delete(entry);
      },
      () => this.#lost(),
    );
  }

  /** Adds what `entry` has not written yet to `batch`; true when that includes its end. */
  #write(batch: Batch, entry: Mirrored, now: number): boolean {
    const { generation } = entry;
    const log = keys.log(generation.id);
    const meta = keys.meta(generation.id);
    if (entry.fresh) {
      batch.pipeline.del(log);
      batch.pipeline.hset(meta, { owner: generation.owner, instance: this.settings.instance, model: generation.model });
      entry.fresh = false;
    }
    const channel = channels.events(generation.id);
    for (; entry.written < generation.log.length; entry.written++) {
      batch.logs.push(log);
      batch.appends.push(channel, JSON.stringify(generation.log.at(entry.written)));
    }
    if (generation.ended && entry.written === generation.log.length) {
      batch.expiries.push([log, this.settings.retentionMs], [meta, this.settings.retentionMs]);
      return true;
    }
    if (now - entry.expiryRefreshedAt >= REFRESH_EVERY_MS) {
      entry.expiryRefreshedAt = now;
      const expiry = this.settings.retentionMs + RUNNING_EXPIRY_MS;
      batch.expiries.push([log, expiry], [meta, expiry]);
    }
    return false;
  }

  /** A write failed: which parts landed is unknown, so every log still mirrored is written again. */
  #lost(): void {
    for (const entry of this.#mirrored) {
      entry.fresh = true;
      entry.written = 0;
      entry.expiryRefreshedAt = 0;
    }
    if (this.redis.status === "ready") this.#rewriteAll();
  }

  #rewriteAll(): void {
    for (const entry of this.#mirrored) {
      if (entry.written > 0) {
        entry.fresh = true;
        entry.written = 0;
        entry.expiryRefreshedAt = 0;
      }
      this.#mark(entry);
    }
  }
}
