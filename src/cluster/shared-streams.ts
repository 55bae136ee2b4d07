/**
 * Open streams per user (limits/user-streams.ts) counted on every instance together, in Redis: a
 * hash per user of the streams each instance holds for them, and one Lua script that sums the
 * live instances' counts, checks the limit and takes a slot, so two instances cannot both admit
 * the last one. An instance whose lease has expired no longer counts.
 *
 * Unlike starting an answer, watching one must survive a Redis restart (a viewer of an answer on
 * its own instance reads from memory): while Redis is unreachable the limit is counted on this
 * instance alone, and when Redis is back every instance writes its true counts again.
 */
import { type Held, HeldOnce } from "../held.ts";
import { LocalUserStreams, UserStreamLimitError, type UserStreamLimiter } from "../limits/user-streams.ts";
import { keys } from "./keys.ts";
import type { Redis } from "./redis-client.ts";
import { TurnBatch } from "./turn-batch.ts";

// KEYS: the user's hash of open streams by instance. ARGV: instance, limit, take (1/0), the
// lease key prefix. Returns -1 when admitted (and, with take, counted), else the user's count.
const CHECK_AND_TAKE = `
local open = 0
local counts = redis.call('HGETALL', KEYS[1])
for i = 1, #counts, 2 do
  if counts[i] == ARGV[1] or redis.call('EXISTS', ARGV[4] .. counts[i]) == 1 then
    open = open + tonumber(counts[i + 1])
  else redis.call('HDEL', KEYS[1], counts[i]) end
end
if open >= tonumber(ARGV[2]) then return open end
if ARGV[3] == '1' then
  redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
  redis.call('PEXPIRE', KEYS[1], 86400000)
end
return -1
`;

const SCRIPT_NAME = "sluiceStreamsCheckAndTake";
type StreamScript = (...args: (string | number)[]) => Promise<unknown>;

export class SharedUserStreams implements UserStreamLimiter {
  /** What this instance holds: the truth it checks alone in an outage, and writes back after. */
  readonly #local: LocalUserStreams;
  /** Users whose count changed this turn: written once at its end, however many streams closed. */
  readonly #changed = new TurnBatch<string>((users) => this.#write(users.keys()));

  constructor(
    private readonly redis: Redis,
    private readonly instance: string,
    private readonly max: number,
    private readonly rejected: (reason: string) => void = () => {},
  ) {
    this.#local = new LocalUserStreams(max, rejected);
    redis.defineCommand(SCRIPT_NAME, { numberOfKeys: 1, lua: CHECK_AND_TAKE });
    redis.on("ready", () => this.#resync());
  }

  async admit(user: string): Promise<void> {
    if ((await this.#ask(user, false)) === "unreachable") this.#local.check(user, 0);
  }

  async acquire(user: string): Promise<Held> {
    const verdict = await this.#ask(user, true);
    const local = verdict === "unreachable" ? this.#local.take(user, 0) : this.#local.hold(user);
    return new SharedUserStream(this, local, user);
  }

  /** One of `user`'s streams closed here ({@link SharedUserStream.release}): written at the turn's end. */
  closed(user: string): void {
    this.#changed.add(user);
  }

  /** Redis's verdict; throws {@link UserStreamLimitError} when it refuses. */
  async #ask(user: string, take: boolean): Promise<"admitted" | "unreachable"> {
    let answer: number;
    try {
      const script = (this.redis as unknown as Record<string, StreamScript>)[SCRIPT_NAME] as StreamScript;
      const key = keys.openStreams(user);
      answer = Number(await script.call(this.redis, key, this.instance, this.max, take ? 1 : 0, keys.instance("")));
    } catch {
      return "unreachable";
    }
    if (answer === -1) return "admitted";
    this.rejected("user_streams");
    throw new UserStreamLimitError(answer);
  }

  /**
   * This instance's counts for `users`, written as a whole: a release after an outage (whose
   * streams Redis never counted) leaves the right number, where a decrement would not.
   */
  #write(users: Iterable<string>): void {
    const pipeline = this.redis.pipeline();
    for (const user of users) {
      const key = keys.openStreams(user);
      const open = this.#local.openOf(user);
      if (open > 0) pipeline.hset(key, this.instance, open);
      else pipeline.hdel(key, this.instance);
    }
    pipeline.exec().catch(() => {});
  }

  /** Writes this instance's true counts (after an outage, or a Redis that restarted empty). */
  #resync(): void {
    this.#write([...this.#local.entries()].map(([user]) => user));
  }
}

/** One open stream of a user, counted here and on every instance until it is released. */
class SharedUserStream extends HeldOnce {
  constructor(
    private readonly streams: SharedUserStreams,
    private readonly local: Held,
    private readonly user: string,
  ) {
    super();
  }

  protected giveBack(): void {
    this.local.release();
    this.streams.closed(this.user);
  }
}
