/**
 * Services.reserveGeneration: admitting a generation before anything is stored, and starting it
 * with the model call it makes (a tool answer's, the Responses API's, or chat completions). Every
 * limit, budget and in-flight count a generation is held to is taken and given back here.
 */
import type OpenAI from "openai";
import type { SharedParts } from "./cluster/cluster.ts";
import type { Config } from "./config.ts";
import type { GenerationOutcome } from "./contract.ts";
import type { Generation, GenerationEndListener } from "./generation/generation.ts";
import type { GenerationRegistry, RegistrySlot } from "./generation/registry.ts";
import type { Held } from "./held.ts";
import type { GenerationReservation, StartOptions } from "./http/chat.ts";
import type { Caller } from "./http/requester.ts";
import { callImageBytes, type InflightBytes, type Reservation } from "./limits/inflight-bytes.ts";
import type { UserLimiter } from "./limits/user-limits.ts";
import type { Metrics } from "./metrics/metrics.ts";
import { newStreamId } from "./stream-id.ts";
import { toolAnswer } from "./tools/tool-loop.ts";
import type { Toolbox } from "./tools/toolbox.ts";
import { type ChatRequest, streamChat, type Upstream } from "./upstream/chat-stream.ts";
import { streamResponses } from "./upstream/responses-stream.ts";
import type { TokenTimeouts } from "./upstream/timeouts.ts";
import type { IncludeUsagePolicy } from "./upstream/usage-request.ts";
import type { TokenAccounting } from "./usage/accounting.ts";
import { estimatePromptTokens } from "./usage/estimate.ts";

/** What {@link generationReserver} needs to admit and start generations. */
export interface ReserverParts {
  config: Config;
  registry: GenerationRegistry;
  userLimits: UserLimiter;
  inflight: InflightBytes;
  shared: SharedParts | undefined;
  upstream: OpenAI;
  timeouts: TokenTimeouts;
  metrics: Metrics;
  includeUsage: IncludeUsagePolicy;
  accounting: TokenAccounting | undefined;
  toolbox: Toolbox | undefined;
}

/** The model call of a generation: with tools, a tool answer's calls (tools/tool-loop.ts). */
function upstreamOf(parts: ReserverParts, request: ChatRequest, options: StartOptions): Upstream {
  const { upstream, toolbox, config } = parts;
  if (options.tools && toolbox)
    return toolAnswer(upstream, toolbox, request, { ...config.tools, usage: parts.includeUsage });
  if (options.modelApi === "responses")
    return (signal, id, sink) => streamResponses(upstream, request, { signal, requestId: id }, sink);
  return (signal, id, sink) =>
    streamChat(upstream, request, { signal, requestId: id, usage: parts.includeUsage }, sink);
}

/** Services.reserveGeneration: the registry's place and the user's slot, held until the generation starts. */
export function generationReserver(parts: ReserverParts) {
  const { registry, userLimits, inflight, accounting } = parts;
  return async function reserveGeneration(caller: Caller): Promise<GenerationReservation> {
    // A user past a budget is refused first, before anything is held or stored.
    await accounting?.admit(caller.user);
    // A full in-flight budget refuses here, before the question is stored; what the call then
    // holds is counted when it starts, and refuses later ones.
    inflight.admit();
    const slot = registry.reserve();
    const running = await userLimits.acquire(caller.limitKey).catch((error: unknown) => {
      slot.release();
      throw error;
    });
    return new Admission(parts, caller.user, slot, running);
  };
}

/**
 * One admitted generation's slots, then what it holds while it runs (the user's slot, its images'
 * share of the in-flight budget), given back at its end. An object, not closures: it lives as long
 * as the answer runs, and the request (the whole conversation) is not kept by it.
 */
class Admission implements GenerationReservation, GenerationEndListener {
  #held = true;
  #model = "";
  #images: Reservation | undefined;

  constructor(
    private readonly parts: ReserverParts,
    private readonly user: string,
    private readonly slot: RegistrySlot,
    private readonly running: Held,
  ) {}

  release(): void {
    if (this.#held) {
      this.slot.release();
      this.running.release();
    }
    this.#held = false;
  }

  async start(request: ChatRequest, options: StartOptions = {}): Promise<Generation> {
    const { config, inflight, shared, timeouts, metrics } = this.parts;
    const id = options.id ?? newStreamId();
    let generation: Generation;
    let announced = false;
    try {
      await shared?.mirror.announce(id, this.user, request.model, options.details);
      announced = true;
      generation = this.slot.create({
        id,
        owner: this.user,
        model: request.model,
        upstream: upstreamOf(this.parts, request, options),
        estimatedPromptTokens: estimatePromptTokens(request.messages),
        timeouts,
        cancelGraceMs: options.cancelGraceMs ?? config.cancelGraceMs,
        details: options.details,
        background: options.background ?? false,
        maxEvents: config.maxGenerationEvents,
        maxBytes: config.maxGenerationBytes,
        observer: metrics.observer,
      });
    } catch (error) {
      if (announced) shared?.mirror.withdraw(id);
      this.release();
      throw error;
    }
    // The user's slot now belongs to the generation, until it ends, and so do its images.
    this.#held = false;
    this.#model = request.model;
    this.#images = inflight.open();
    const bytes = callImageBytes(request.messages);
    this.#images.force(bytes);
    options.from?.handOver(bytes);
    generation.whenEnded(this);
    shared?.mirror.mirror(generation);
    return generation;
  }

  generationEnded(_generation: Generation, outcome: GenerationOutcome): void {
    void this.#ended(outcome);
  }

  /** Records the answer's usage, then gives back what it held: a next admission sees the usage. */
  async #ended(outcome: GenerationOutcome): Promise<void> {
    try {
      await this.parts.accounting?.record(this.user, this.#model, outcome.usage);
    } finally {
      this.running.release();
      this.#images?.release();
    }
  }
}
