/**
 * What every route that streams shares, built once per app: the model policy, the open-stream
 * slots (all users' and each user's), the event-stream writer and a conversation turn's settings.
 */
import type { Defences } from "./app-defences.ts";
import { eventStreams } from "./http/event-stream.ts";
import { StreamSlots } from "./http/stream-slots.ts";
import { unlimitedUserStreams } from "./limits/user-streams.ts";
import type { Services } from "./services.ts";

/** Takes an open-stream slot (429 when none is free, for anyone or for this user) and counts it in the metrics. */
function streamSlots(services: Services, defences: Defences) {
  const { config, metrics } = services;
  const perUser = defences.userStreams ? services.userStreams : unlimitedUserStreams;
  const slots = new StreamSlots(config.maxOpenStreams, perUser, metrics.rejected);
  metrics.openStreamsFrom(() => slots.open);
  const streamOpened = (limitKey: string | undefined) => slots.acquire(limitKey);
  return { slots, streamOpened };
}

/** What the routes that stream share: the model policy, the open-stream slots, a turn's settings. */
export function streamParts(services: Services, defences: Defences) {
  const { config, checkpoints } = services;
  const { slots, streamOpened } = streamSlots(services, defences);
  return {
    policy: { models: config.models, maxOutputTokens: config.maxOutputTokens },
    streamOpened,
    admitStream: (limitKey: string | undefined) => slots.admit(limitKey),
    tools: { available: services.toolbox !== undefined, defaultOn: config.tools.defaultOn },
    openEventStream: eventStreams({ heartbeatMs: config.heartbeatMs, retryMs: config.retryMs, streamOpened }),
    // What a conversation's turn needs besides its store, for every route that starts one.
    turn: {
      context: { systemPrompt: config.systemPrompt, maxContextTokens: config.maxContextTokens },
      contextMaxImages: config.images.contextMaxImages,
      // Documents a conversation holds (sent from the page) go on with a dialect's turns as with the page's.
      documents: {
        maxDocuments: config.documents.contextMaxDocuments,
        sharePercent: config.documents.contextSharePercent,
      },
      continuation: config.continuation,
      checkpoints,
    },
  };
}

export type StreamParts = ReturnType<typeof streamParts>;

/** The dialects' chat over a conversation store: the AI SDK's (absent without a store). */
export function uiChatDeps(services: Services, parts: StreamParts) {
  const { conversations, generations } = services;
  return (
    conversations && { ...parts, store: conversations, generations, reserveGeneration: services.reserveGeneration }
  );
}
