/**
 * Copies this instance's generations into Redis as they run, for viewers on other instances:
 * each event is appended to the generation's stream (the replayable log) and published on its
 * channel (the live feed), by one script call per turn of the event loop for all generations.
 * The same calls keep the index of running generations (running-index.ts): a generation is
 * announced and listed by one call before it starts, and its end (the log's expiry, its removal
 * from the list) rides on the call that writes its last events, so what Redis costs an answer
 * is little more than its events.
 *
 * The log is bounded like the generation itself (GENERATION_MAX_EVENTS entries, GENERATION_MAX_BYTES
 * of text: the generation ends before either is passed; MAXLEN is a second line) and expires
 * STREAM_RETENTION_MS after the end. While Redis is unreachable nothing is written; when it is
 * back, every log still running is written again whole from memory, so a Redis restart loses no
 * event of a running answer (viewers skip the ids they have).
 */
import { SharedStateUnavailableError } from "../errors.ts";
import type { Generation } from "../generation/generation.ts";
import type { EventsListener } from "../generation/view.ts";
import { channels, keys } from "./keys.ts";
import type { Redis } from "./redis-client.ts";
import { runningEntry } from "./running-index.ts";

export interface MirrorSettings {
  instance: string;
  retentionMs: number;
  maxEvents: number;
}

// A running log's keys expire this long after their last refresh: a log whose owner died without
// a word does not stay in Redis for ever.
const RUNNING_EXPIRY_MS = 10 * 60_000;
const REFRESH_EVERY_MS = 60_000;

// The names of a generation's log, meta hash and channel around its id, for the scripts to build them.
const [LOG_HEAD, LOG_TAIL] = keys.log("\0").split("\0");
const [META_HEAD, META_TAIL] = keys.meta("\0").split("\0");
const [CHANNEL_HEAD] = channels.events("\0").split("\0");

// ARGV[1]: the cap. ARGV[2]: the events, one line each, "<generation id> <event JSON>\n" (an id
// holds no space; JSON.stringify writes no raw line break). One argument for all the events of
// a flush, instead of three each, costs the app one length and one copy per flush rather than
// three per event. ARGV[3]: expiries after the events, "<generation id> <milliseconds>\n", each
// for the log and the meta hash. ARGV[4]: the generations that ended, "<generation id>\n", taken
// off the running list. The keys are named here, not in KEYS: one call covers many generations,
// which a Redis Cluster would refuse anyway (sluice uses one Redis).
const APPEND_EVENTS = `
local count = 0
for id, event in string.gmatch(ARGV[2], '([^ \\n]+) ([^\\n]*)\\n') do
  redis.call('XADD', ${luaString(LOG_HEAD)} .. id .. ${luaString(LOG_TAIL)}, 'MAXLEN', '~', ARGV[1], '*', 'e', event)
  redis.call('PUBLISH', ${luaString(CHANNEL_HEAD)} .. id, event)
  count = count + 1
end
for id, milliseconds in string.gmatch(ARGV[3], '([^ \\n]+) ([0-9]+)\\n') do
  redis.call('PEXPIRE', ${luaString(LOG_HEAD)} .. id .. ${luaString(LOG_TAIL)}, milliseconds)
  redis.call('PEXPIRE', ${luaString(META_HEAD)} .. id .. ${luaString(META_TAIL)}, milliseconds)
end
for id in string.gmatch(ARGV[4], '([^\\n]+)\\n') do
  redis.call('HDEL', ${luaString(keys.runningGenerations)}, id)
end
return count
`;

// KEYS: the meta hash, the running list. ARGV: the expiry, the generation id, its running entry,
// then the meta hash's fields and values.
const ANNOUNCE_GENERATION = `
redis.call('HSET', KEYS[1], unpack(ARGV, 4))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1
`;
const ANNOUNCE = "sluiceAnnounceGeneration";
const APPEND = "sluiceAppendEvents";
// A rewrite after an outage must not block Redis with one huge call.
const EVENTS_PER_CALL = 1_000;
// Under load, at most one flush per interval: each costs a pipeline, a write and a reply whatever
// it carries, and the viewers on other instances get their tokens this much later at most.
const FLUSH_EVERY_MS = 5;
type Appender = Record<
  typeof APPEND,
  (keyCount: number, cap: string, events: string, expiries: string, ended: string) => unknown
>;
type Announcer = Record<typeof ANNOUNCE, (meta: string, running: string, ...args: string[]) => Promise<unknown>>;

function luaString(text: string | undefined): string {
  return JSON.stringify(text ?? "");
}

/** One flush: commands before the events (a rewrite's reset), the events' calls, the expiries and ends after them. */
interface Batch {
  pipeline: ReturnType<Redis["pipeline"]>;
  /** Event lines of calls already full, then of the one being filled. */
  calls: string[];
  events: string;
  count: number;
  /** "<id> <milliseconds>\n" lines. */
  expiries: string;
  /** "<id>\n" lines: generations whose end this flush writes. */
  ended: string;
}

/** One generation being mirrored; it listens to the generation's events itself (no closure per generation). */
class Mirrored implements EventsListener {
  /** Events written so far. */
  written = 0;
  /** The meta hash is still to be written (and the log to be cleared: a rewrite). */
  fresh = false;
  expiryRefreshedAt = 0;

  constructor(
    readonly generation: Generation,
    private readonly mirror: LogMirror,
  ) {}

  eventsRecorded(): void {
    this.mirror.mark(this);
  }
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
    redis.defineCommand(ANNOUNCE, { numberOfKeys: 2, lua: ANNOUNCE_GENERATION });
    redis.on("ready", () => this.#rewriteAll());
  }

  /**
   * Makes generation `id` known to every instance before it starts, so that a viewer sent to
   * another instance right after the POST finds it, and lists it as running (one script call).
   * Throws while Redis is unreachable.
   */
  async announce(id: string, owner: string, model: string, details?: string): Promise<void> {
    const { instance } = this.settings;
    const expiry = String(this.settings.retentionMs + RUNNING_EXPIRY_MS);
    const fields = ["owner", owner, "instance", instance, "model", model];
    if (details !== undefined) fields.push("details", details);
    const entry = runningEntry(owner, model, instance, Date.now());
    try {
      const announce = (this.redis as unknown as Announcer)[ANNOUNCE];
      await announce.call(this.redis, keys.meta(id), keys.runningGenerations, expiry, id, entry, ...fields);
    } catch {
      throw new SharedStateUnavailableError();
    }
  }

  /** Generation `id`, announced, did not start after all (a shutdown began): off the running list. */
  withdraw(id: string): void {
    this.redis.hdel(keys.runningGenerations, id).catch(() => {});
  }

  /** Mirrors `generation`, announced already, from its first event to its end. */
  mirror(generation: Generation): void {
    const entry = new Mirrored(generation, this);
    this.#mirrored.add(entry);
    generation.onEvent(entry);
    this.mark(entry);
  }

  /** Generations being mirrored (running, or ended with their end not yet written). */
  get size(): number {
    return this.#mirrored.size;
  }

  /** `entry` has events to write: they leave with the next flush. */
  mark(entry: Mirrored): void {
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
    const batch: Batch = {
      pipeline: this.redis.pipeline(),
      calls: [],
      events: "",
      count: 0,
      expiries: "",
      ended: "",
    };
    const now = Date.now();
    const completed = entries.filter((entry) => this.#write(batch, entry, now));
    const { pipeline, calls, expiries, ended } = batch;
    if (batch.events !== "") calls.push(batch.events);
    if (calls.length === 0 && (expiries !== "" || ended !== "")) calls.push("");
    // The events of the turn in one command: one reply to parse instead of two per event; the
    // expiries and ends ride on the last, after every event.
    const append = (pipeline as unknown as Appender)[APPEND].bind(pipeline);
    const cap = String(this.settings.maxEvents);
    const last = calls.length - 1;
    calls.forEach((lines, index) => {
      append(0, cap, lines, index === last ? expiries : "", index === last ? ended : "");
    });
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
    const { id } = generation;
    if (entry.fresh) {
      const { owner, model, details } = generation;
      const { instance } = this.settings;
      batch.pipeline.del(keys.log(id));
      batch.pipeline.hset(keys.meta(id), { owner, instance, model, ...(details === undefined ? {} : { details }) });
      entry.fresh = false;
    }
    for (; entry.written < generation.log.length; entry.written++) {
      batch.events += `${generation.id} ${eventJson(generation, entry.written)}\n`;
      if (++batch.count % EVENTS_PER_CALL !== 0) continue;
      batch.calls.push(batch.events);
      batch.events = "";
    }
    if (generation.ended && entry.written === generation.log.length) {
      // Its last event is written: nothing more comes from it.
      generation.offEvent(entry);
      batch.expiries += `${id} ${this.settings.retentionMs}\n`;
      batch.ended += `${id}\n`;
      return true;
    }
    if (now - entry.expiryRefreshedAt >= REFRESH_EVERY_MS) {
      entry.expiryRefreshedAt = now;
      batch.expiries += `${id} ${this.settings.retentionMs + RUNNING_EXPIRY_MS}\n`;
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
      this.mark(entry);
    }
  }
}
