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

// The names of a generation's log and channel around its id, for the script to build them.
const [LOG_HEAD, LOG_TAIL] = keys.log("\0").split("\0");
const [CHANNEL_HEAD] = channels.events("\0").split("\0");

// ARGV[1]: the cap. ARGV[2]: the events, one line each, "<generation id> <event JSON>\n" (an id
// holds no space; JSON.stringify writes no raw line break). One argument for all the events of
// a flush, instead of three each, costs the app one length and one copy per flush rather than
// three per event. The keys are named here, not in KEYS: one call covers many generations, which
// a Redis Cluster would refuse anyway (sluice uses one Redis).
const APPEND_EVENTS = `
local count = 0
for id, event in string.gmatch(ARGV[2], '([^ \\n]+) ([^\\n]*)\\n') do
  redis.call('XADD', ${luaString(LOG_HEAD)} .. id .. ${luaString(LOG_TAIL)}, 'MAXLEN', '~', ARGV[1], '*', 'e', event)
  redis.call('PUBLISH', ${luaString(CHANNEL_HEAD)} .. id, event)
  count = count + 1
end
return count
`;
const APPEND = "sluiceAppendEvents";
// A rewrite after an outage must not block Redis with one huge call.
const EVENTS_PER_CALL = 1_000;
// Under load, at most one flush per interval: each costs a pipeline, a write and a reply whatever
// it carries, and the viewers on other instances get their tokens this much later at most.
const FLUSH_EVERY_MS = 5;
type Appender = Record<typeof APPEND, (keyCount: number, cap: string, events: string) => unknown>;

function luaString(text: string | undefined): string {
  return JSON.stringify(text ?? "");
}

/** One flush: commands before the events (a rewrite's reset), the events' calls, the expiries after them. */
interface Batch {
  pipeline: ReturnType<Redis["pipeline"]>;
  /** Event lines of calls already full, then of the one being filled. */
  calls: string[];
  events: string;
  count: number;
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

/** The event at `index` as JSON, as JSON.stringify writes it, without an event object for a token. */
function eventJson(generation: Generation, index: number): string {
  const text = generation.log.tokenText(index);
  if (text === undefined) return JSON.stringify(generation.log.at(index));
  return `{"id":${index + 1},"type":"token","text":${JSON.stringify(text)}}`;
}

export class LogMirror {
  readonly #mirrored = new Set<Mirrored>();
  readonly #dirty = new Set<Mirrored>();
  #scheduled = false;
  #flushedAt = Number.NEGATIVE_INFINITY;

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
  async announce(id: string, owner: string, model: string, details?: string): Promise<void> {
    const meta = keys.meta(id);
    const expiry = this.settings.retentionMs + RUNNING_EXPIRY_MS;
    try {
      await this.redis
        .multi()
        .hset(meta, { owner, instance: this.settings.instance, model, ...(details === undefined ? {} : { details }) })
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
    const listener = { eventsRecorded: () => this.#mark(entry) };
    generation.onEvent(listener);
    void generation.settled.then(() => generation.offEvent(listener));
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
    // Events leave at the end of the turn that recorded them, in one pipeline; under load, when
    // the last flush was less than FLUSH_EVERY_MS ago, they wait for the rest of that interval.
    const wait = this.#flushedAt + FLUSH_EVERY_MS - performance.now();
    if (wait > 0) setTimeout(this.#flush, wait);
    else setImmediate(this.#flush);
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    this.#flushedAt = performance.now();
    // Unreachable: the events wait in memory; #rewriteAll writes them when Redis is back.
    if (this.redis.status !== "ready") return;
    const entries = [...this.#dirty];
    this.#dirty.clear();
    const batch: Batch = { pipeline: this.redis.pipeline(), calls: [], events: "", count: 0, expiries: [] };
    const now = Date.now();
    const completed = entries.filter((entry) => this.#write(batch, entry, now));
    const { pipeline, expiries } = batch;
    const { calls, events } = batch;
    if (events !== "") calls.push(events);
    // The events of the turn in one command: one reply to parse instead of two per event.
    const append = (pipeline as unknown as Appender)[APPEND].bind(pipeline);
    const cap = String(this.settings.maxEvents);
    for (const lines of calls) append(0, cap, lines);
    for (const [key, milliseconds] of expiries) pipeline.pexpire(key, milliseconds);
    pipeline.exec().then(
      (results) => {
        if (results?.some(([error]) => error)) return this.#lost();
        for (const entry of completed) this.#mirrored.delete(entry);
      },
      () => this.#lost(),
    );
  };

  /** Adds what `entry` has not written yet to `batch`; true when that includes its end. */
  #write(batch: Batch, entry: Mirrored, now: number): boolean {
    const { generation } = entry;
    const log = keys.log(generation.id);
    const meta = keys.meta(generation.id);
    if (entry.fresh) {
      batch.pipeline.del(log);
      const { owner, model, details } = generation;
      batch.pipeline.hset(meta, {
        owner,
        instance: this.settings.instance,
        model,
        ...(details === undefined ? {} : { details }),
      });
      entry.fresh = false;
    }
    for (; entry.written < generation.log.length; entry.written++) {
      batch.events += `${generation.id} ${eventJson(generation, entry.written)}\n`;
      if (++batch.count % EVENTS_PER_CALL !== 0) continue;
      batch.calls.push(batch.events);
      batch.events = "";
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
