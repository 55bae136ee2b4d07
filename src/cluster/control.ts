/**
 * Messages between instances about generations: Stop, and viewers that arrive or leave on an
 * instance that does not run the generation. Each instance listens on its own control channel;
 * the owner applies what it hears to the generation it runs.
 *
 * A remote instance's viewers hold the generation like one local viewer does (cancel-policy.ts):
 * while any instance watches, the disconnect grace does not start. An instance that dies while
 * holding one lets go when its lease expires.
 */
import type { CancelReason } from "../contract.ts";
import type { GenerationRegistry } from "../generation/registry.ts";
import type { Held } from "../held.ts";
import { logError } from "../log.ts";
import type { FanIn } from "./fan-in.ts";
import { DeathWatch, type InstanceLease } from "./instance-lease.ts";
import { channels } from "./keys.ts";
import type { Redis } from "./redis-client.ts";
import type { OwnerLink, RemoteGeneration } from "./remote-generation.ts";

type ControlMessage =
  | { type: "stop"; id: string; owner: string; reason: CancelReason }
  | { type: "view"; id: string; owner: string; from: string; watching: boolean };

const CHECK_HOLDERS_EVERY_MS = 1_000;
// A hold let go wrongly (a watching instance merely slow) would start the grace under its viewers.
const CONFIRM_DEATH_MS = 5_000;

export class Control implements OwnerLink {
  /** Per generation run here: the instances watching it, each with the hold it has. */
  readonly #holds = new Map<string, Map<string, Held>>();
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #deaths: DeathWatch;

  constructor(
    private readonly redis: Redis,
    private readonly lease: InstanceLease,
    private readonly registry: GenerationRegistry,
  ) {
    this.#deaths = new DeathWatch(lease, CONFIRM_DEATH_MS);
  }

  /** Starts hearing this instance's channel. */
  async listen(fanIn: FanIn): Promise<void> {
    await fanIn.listen(channels.control(this.lease.instance), (message) => this.#receive(message), true);
    this.#timer = setInterval(() => void this.#releaseDeadHolders().catch(() => {}), CHECK_HOLDERS_EVERY_MS);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  stop(generation: RemoteGeneration, reason: CancelReason): void {
    this.#send(generation.instance, { type: "stop", id: generation.id, owner: generation.owner, reason });
  }

  viewing(generation: RemoteGeneration, watching: boolean): void {
    const { id, owner, instance } = generation;
    this.#send(instance, { type: "view", id, owner, from: this.lease.instance, watching });
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #send(instance: string, message: ControlMessage): void {
    // Unreachable Redis: the viewer's own stream ends (shared-directory.ts); nothing to retry here.
    void this.redis.publish(channels.control(instance), JSON.stringify(message)).catch(() => {});
  }

  #receive(raw: string): void {
    const message = parseMessage(raw);
    if (!message) return;
    const generation = this.registry.find(message.id, message.owner);
    if (!generation) return;
    if (message.type === "stop") {
      generation.cancel(message.reason);
      return;
    }
    const holders = this.#holds.get(message.id) ?? new Map<string, Held>();
    if (message.watching && !holders.has(message.from) && !generation.ended) {
      holders.set(message.from, generation.attach());
      this.#holds.set(message.id, holders);
      void generation.settled.then(() => this.#holds.delete(message.id));
    } else if (!message.watching) {
      holders.get(message.from)?.release();
      holders.delete(message.from);
    }
  }

  /** Lets go of the holds of instances whose lease has expired. */
  async #releaseDeadHolders(): Promise<void> {
    const instances = new Set<string>();
    for (const holders of this.#holds.values()) for (const instance of holders.keys()) instances.add(instance);
    if (instances.size === 0) return;
    const dead = await this.#deaths.dead(instances);
    for (const holders of this.#holds.values())
      for (const [instance, held] of holders)
        if (dead.has(instance)) {
          held.release();
          holders.delete(instance);
        }
  }
}

/** A control message, or undefined for anything else (logged: only instances write here). */
function parseMessage(raw: string): ControlMessage | undefined {
  try {
    const message = JSON.parse(raw) as ControlMessage;
    if (typeof message.id === "string" && typeof message.owner === "string") return message;
  } catch {}
  logError("control message ignored", { message: raw.slice(0, 200) });
  return undefined;
}
