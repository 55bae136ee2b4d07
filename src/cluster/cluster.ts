/**
 * This instance as one of several sharing Redis (REDIS_URL): two connections (commands, and the
 * subscriber of fan-in.ts), the lease that says it is alive, and the shared parts built on them:
 * the generation directory, the log mirror, the per-user limits, the sign-outs and the index of
 * running generations.
 */
import type { SessionSigner } from "../auth/sessions.ts";
import type { ConversationStore } from "../conversations/store.ts";
import type { GenerationRegistry } from "../generation/registry.ts";
import type { UserLimitSettings } from "../limits/user-limits.ts";
import { AnswerSweeper } from "./answer-sweeper.ts";
import { Control } from "./control.ts";
import { FanIn } from "./fan-in.ts";
import { InstanceLease } from "./instance-lease.ts";
import { LogMirror } from "./log-mirror.ts";
import { connectRedis, type Redis, whenReady } from "./redis-client.ts";
import { RunningIndex } from "./running-index.ts";
import { SharedDirectory } from "./shared-directory.ts";
import { SharedUserLimits } from "./shared-limits.ts";
import { shareRevocations } from "./shared-revocations.ts";
import { SharedUserStreams } from "./shared-streams.ts";

export interface ClusterSettings {
  redisUrl: string;
  instanceId: string;
  retentionMs: number;
  maxEvents: number;
  userLimits: UserLimitSettings;
}

/** The shared parts, bound to this instance's registry. */
export interface SharedParts {
  generations: SharedDirectory;
  limiter: SharedUserLimits;
  /** Open streams per user, counted on every instance. */
  streams: SharedUserStreams;
  mirror: LogMirror;
  /** Every instance's running generations (the admin page). */
  running: RunningIndex;
}

export class Cluster {
  readonly #fanIn: FanIn;
  readonly #lease: InstanceLease;
  #control: Control | undefined;
  #generations: SharedDirectory | undefined;
  #sweeper: AnswerSweeper | undefined;

  private constructor(
    private readonly settings: ClusterSettings,
    private readonly redis: Redis,
    private readonly subscriber: Redis,
  ) {
    this.#fanIn = new FanIn(subscriber);
    this.#lease = new InstanceLease(redis, settings.redisUrl, settings.instanceId);
  }

  /** Connects to Redis and takes this instance's lease; rejects when Redis does not answer. */
  static async connect(settings: ClusterSettings): Promise<Cluster> {
    const name = `sluice-${settings.instanceId}`;
    const redis = connectRedis(settings.redisUrl, `${name}-commands`);
    const subscriber = connectRedis(settings.redisUrl, `${name}-events`, { subscriber: true });
    try {
      await Promise.all([whenReady(redis), whenReady(subscriber)]);
    } catch (error) {
      redis.disconnect();
      subscriber.disconnect();
      throw error;
    }
    const cluster = new Cluster(settings, redis, subscriber);
    await cluster.#lease.hold();
    return cluster;
  }

  get instance(): string {
    return this.settings.instanceId;
  }

  /** Builds the shared parts around this instance's registry. */
  bind(registry: GenerationRegistry, rejected: (reason: string) => void): SharedParts {
    const { redis, settings } = this;
    this.#control = new Control(redis, this.#lease, registry);
    this.#generations = new SharedDirectory({
      redis,
      fanIn: this.#fanIn,
      lease: this.#lease,
      link: this.#control,
      registry,
    });
    return {
      generations: this.#generations,
      limiter: new SharedUserLimits(redis, settings.instanceId, settings.userLimits, rejected),
      streams: new SharedUserStreams(redis, settings.instanceId, settings.userLimits.openStreams, rejected),
      mirror: new LogMirror(redis, { instance: settings.instanceId, ...settings }),
      running: new RunningIndex(redis, this.#lease, registry),
    };
  }

  /** Starts hearing the other instances: control messages, sign-outs, owners' leases. */
  async listen(sessions: SessionSigner): Promise<void> {
    await this.#control?.listen(this.#fanIn);
    await shareRevocations(sessions, this.redis, this.#fanIn);
    this.#generations?.start();
  }

  /** Ends, in the shared store, the answers of instances that died (answer-sweeper.ts). */
  sweepAnswers(store: ConversationStore): void {
    this.#sweeper = new AnswerSweeper(this.redis, this.#lease, store);
    this.#sweeper.start();
  }

  /** Leaves cleanly: the lease is given up at once, so no one waits for it to expire. */
  async leave(): Promise<void> {
    this.#sweeper?.stop();
    this.#control?.close();
    this.#generations?.close();
    await this.#lease.release();
    this.redis.disconnect();
    this.subscriber.disconnect();
  }
}
