/**
 * The per-user limits (limits/user-limits.ts) counted on every instance together, in Redis: one
 * Lua script checks both rules and takes a slot atomically, so two instances cannot both admit
 * the last one. Running answers are counted per instance (a hash), and an instance whose lease
 * has expired no longer counts: a crash does not keep its users' slots taken.
 *
 * While Redis is unreachable no answer starts (503, retryable): the limits are a protection and
 * are not skipped. A release that fails then is written again, as this instance's true count,
 * once Redis is back.
 */
import { SharedStateUnavailableError } from "../errors.ts";
import { type Held, HeldOnce } from "../held.ts";
import { UserLimitError, type UserLimiter, type UserLimitSettings } from "../limits/user-limits.ts";
import { keys } from "./keys.ts";
import type { Redis } from "./redis-client.ts";
import { TurnBatch } from "./turn-batch.ts";

const MINUTE_MS = 60_000;

// KEYS: running hash, starts sorted set. ARGV: instance, now, concurrent, per minute, take (1/0),
// a unique start id, the lease key prefix. Returns {"ok"} or {reason, count, oldest start}.
const CHECK_AND_TAKE = `
local running = 0
local counts = redis.call('HGETALL', KEYS[1])
for i = 1, #counts, 2 do
  if redis.call('EXISTS', ARGV[7] .. counts[i]) == 1 then running = running + tonumber(counts[i + 1])
  else redis.call('HDEL', KEYS[1], counts[i]) end
end
local now = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - ${MINUTE_MS})
if running >= tonumber(ARGV[3]) then return {'user_concurrent', running, 0} end
local starts = redis.call('ZCARD', KEYS[2])
if starts >= tonumber(ARGV[4]) then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {'user_rate', starts, oldest[2]}
end
if ARGV[5] == '1' then
  redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
  redis.call('PEXPIRE', KEYS[1], 86400000)
  redis.call('ZADD', KEYS[2], now, ARGV[6])
  redis.call('PEXPIRE', KEYS[2], ${MINUTE_MS})
end
return {'ok'}
`;

const SCRIPT_NAME = "sluiceCheckAndTake";
type LimitScript = (...args: (string | number)[]) => Promise<unknown>;

export class SharedUserLimits implements UserLimiter {
  /** What this instance runs per user: the truth its hash field is reset to after an outage. */
  readonly #running = new Map<string, number>();
  readonly #unsynced = new Set<string>();
  /** Answers ended this turn, per user: one decrement each at its end, however many ended. */
  readonly #ended = new TurnBatch<string>((counts) => this.#release(counts));
  #starts = 0;

  constructor(
    private readonly redis: Redis,
    private readonly instance: string,
    private readonly settings: UserLimitSettings,
    private readonly rejected: (reason: string) => void = () => {},
  ) {
    // Sent once per connection, then called by its SHA (EVALSHA): not 1 KB of script per answer.
    redis.defineCommand(SCRIPT_NAME, { numberOfKeys: 2, lua: CHECK_AND_TAKE });
    redis.on("ready", () => this.#resync());
  }

  async admit(user: string): Promise<void> {
    await this.#check(user, false);
  }

  async acquire(user: string): Promise<Held> {
    await this.#check(user, true);
    this.#running.set(user, (this.#running.get(user) ?? 0) + 1);
    return new SharedRunningCall(this, user);
  }

  /** One of `user`'s answers ended here ({@link SharedRunningCall.release}). */
  ended(user: string): void {
    const left = (this.#running.get(user) ?? 1) - 1;
    if (left > 0) this.#running.set(user, left);
    else this.#running.delete(user);
    this.#ended.add(user);
  }

  /** One decrement per user for the answers that ended this turn; a lost one is written again after an outage. */
  #release(counts: ReadonlyMap<string, number>): void {
    const users = [...counts.keys()];
    const pipeline = this.redis.pipeline();
    for (const [user, ended] of counts) pipeline.hincrby(keys.running(user), this.instance, -ended);
    pipeline.exec().then(
      (results) => {
        for (const [index, [error]] of (results ?? []).entries()) if (error) this.#unsynced.add(users[index] as string);
      },
      () => {
        for (const user of users) this.#unsynced.add(user);
      },
    );
  }

  async #check(user: string, take: boolean): Promise<void> {
    const now = Date.now();
    let answer: [string, number?, string?];
    try {
      const script = (this.redis as unknown as Record<string, LimitScript>)[SCRIPT_NAME] as LimitScript;
      answer = (await script.call(
        this.redis,
        keys.running(user),
        keys.starts(user),
        this.instance,
        now,
        this.settings.concurrent,
        this.settings.perMinute,
        take ? 1 : 0,
        `${this.instance}:${++this.#starts}`,
        keys.instance(""),
      )) as [string, number?, string?];
    } catch {
      throw new SharedStateUnavailableError();
    }
    const [reason, count = 0, oldest] = answer;
    if (reason === "ok") return;
    this.rejected(reason);
    if (reason === "user_concurrent")
      throw new UserLimitError("user_concurrent", `you are running ${count} answers already; wait for one to end`, 1);
    const wait = Math.ceil((Number(oldest) + MINUTE_MS - now) / 1000);
    throw new UserLimitError("user_rate", `you started ${count} answers in the last minute`, Math.max(1, wait));
  }

  /** Writes this instance's true counts for the users whose release was lost in an outage. */
  #resync(): void {
    for (const user of [...this.#unsynced]) {
      this.#unsynced.delete(user);
      this.redis
        .hset(keys.running(user), this.instance, this.#running.get(user) ?? 0)
        .catch(() => this.#unsynced.add(user));
    }
  }
}

/** One running answer of a user, counted here and on every instance until it is released. */
class SharedRunningCall extends HeldOnce {
  constructor(
    private readonly limits: SharedUserLimits,
    private readonly user: string,
  ) {
    super();
  }

  protected giveBack(): void {
    this.limits.ended(this.user);
  }
}
