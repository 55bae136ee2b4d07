/**
 * Finds a generation wherever it runs: in this instance's registry, else in Redis, where another
 * instance mirrors it (log-mirror.ts). A generation run elsewhere is opened once per instance as
 * a {@link RemoteGeneration} that all of this instance's viewers share: subscribed to its
 * channel first, then replayed from its stream, so no event falls between the two and a repeat
 * is skipped by id.
 *
 * When the owner's lease has expired (it died; instance-lease.ts), the view ends for its viewers with a retryable
 * `error` event (`interrupted`) instead of hanging. When this instance loses Redis, its viewers'
 * streams close without an end: they reconnect with Last-Event-ID and resume, here or on another
 * instance, once Redis answers (log-mirror.ts writes running logs again after a Redis restart).
 */
import type { GenerationEvent } from "../contract.ts";
import { SharedStateUnavailableError, SluiceError } from "../errors.ts";
import type { GenerationRegistry } from "../generation/registry.ts";
import type { GenerationDirectory, GenerationView } from "../generation/view.ts";
import type { FanIn } from "./fan-in.ts";
import { DeathWatch, type InstanceLease, LEASE_TTL_MS } from "./instance-lease.ts";
import { channels, keys } from "./keys.ts";
import type { Redis } from "./redis-client.ts";
import { type OwnerLink, type RemoteFailure, RemoteGeneration } from "./remote-generation.ts";

export const OWNER_LOST: RemoteFailure = {
  code: "interrupted",
  message: "the server running this answer stopped before it was complete; send it again",
  retryable: true,
};

const CHECK_OWNERS_EVERY_MS = 500;
// A view nobody watches is let go after this long (a Stop or a refused resume opens one briefly).
const IDLE_MS = 5_000;

interface Parts {
  redis: Redis;
  fanIn: FanIn;
  lease: InstanceLease;
  link: OwnerLink;
  registry: GenerationRegistry;
}

export class SharedDirectory implements GenerationDirectory {
  readonly #views = new Map<string, { view: RemoteGeneration; close: () => void }>();
  readonly #opening = new Map<string, Promise<RemoteGeneration>>();
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #deaths: DeathWatch;

  constructor(private readonly parts: Parts) {
    // Short: a view also needs the owner silent for a lease's time (#checkOwners), which a live
    // owner, however late its lease after a Redis restart, is not while it streams.
    this.#deaths = new DeathWatch(parts.lease, 500);
    parts.fanIn.onLost(() => this.#loseAll());
  }

  /** Starts watching the owners' leases. */
  start(): void {
    this.#timer = setInterval(() => void this.#checkOwners().catch(() => {}), CHECK_OWNERS_EVERY_MS);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#loseAll();
  }

  /** Generations of other instances watched here now. */
  get remoteCount(): number {
    return this.#views.size;
  }

  async find(id: string, owner: string): Promise<GenerationView | undefined> {
    const local = this.parts.registry.find(id, owner);
    if (local) return local;
    const known = this.#views.get(id)?.view ?? (await this.#opening.get(id));
    if (known) return known.owner === owner ? known : undefined;
    try {
      const meta = await this.parts.redis.hgetall(keys.meta(id));
      if (meta.owner !== owner || !meta.instance) return undefined;
      const opening = this.#open(id, owner, meta.instance, meta.details);
      this.#opening.set(id, opening);
      return await opening.finally(() => this.#opening.delete(id));
    } catch (error) {
      throw error instanceof SluiceError ? error : new SharedStateUnavailableError();
    }
  }

  async #open(id: string, owner: string, instance: string, details: string | undefined): Promise<RemoteGeneration> {
    const view = new RemoteGeneration(id, owner, instance, this.parts.link, details);
    const early: GenerationEvent[] = [];
    let replayed = false;
    const unlisten = await this.parts.fanIn.listen(channels.events(id), (message) => {
      const event = JSON.parse(message) as GenerationEvent;
      if (!replayed) early.push(event);
      else if (!view.receive(event)) void this.#replay(view).catch(() => view.lose());
    });
    try {
      await this.#replay(view);
      replayed = true;
      for (const event of early) view.receive(event);
    } catch (error) {
      unlisten();
      throw error;
    }
    let idle: ReturnType<typeof setTimeout> | undefined;
    const close = () => {
      clearTimeout(idle);
      unlisten();
      if (this.#views.get(id)?.view === view) this.#views.delete(id);
    };
    view.onIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => view.viewers === 0 && close(), IDLE_MS);
    };
    view.onIdle();
    this.#views.set(id, { view, close });
    return view;
  }

  /** Reads the whole stored log into `view` (events it holds already are skipped). */
  async #replay(view: RemoteGeneration): Promise<void> {
    const entries = await this.parts.redis.xrange(keys.log(view.id), "-", "+");
    for (const [, fields] of entries) view.receive(JSON.parse(fields[1] as string) as GenerationEvent);
  }

  /**
   * Ends the views whose owner's lease has expired and who has sent nothing for as long: an
   * owner so overloaded that it renews late, but still sends tokens, is not dead.
   */
  async #checkOwners(): Promise<void> {
    const running = [...this.#views.values()].map(({ view }) => view).filter((view) => !view.ended);
    if (running.length === 0) return;
    const dead = await this.#deaths.dead(running.map((view) => view.instance));
    const now = Date.now();
    for (const view of running)
      if (dead.has(view.instance) && now - view.lastHeardAt > LEASE_TTL_MS) view.fail(OWNER_LOST);
  }

  #loseAll(): void {
    for (const { view, close } of [...this.#views.values()]) {
      view.lose();
      close();
    }
  }
}
