/**
 * The app's routes in groups, each handed only the services it uses: asking, streaming, the
 * OpenAI-compatible API, sign-on and admin, and the routes over stored conversations. app.ts
 * puts them together behind its body parser and error handler.
 */
import { Elysia } from "elysia";
import { createAdmin } from "./admin/admin.ts";
import type { UsageAdmin } from "./admin/admin-data.ts";
import { usageAdminOf } from "./admin/token-accounting.ts";
import type { Defences } from "./app-defences.ts";
import type { Access } from "./auth/access.ts";
import type { ConversationStore } from "./conversations/store.ts";
import type { Held } from "./held.ts";
import { adminRoutes } from "./http/admin.ts";
import { chatRoutes } from "./http/chat.ts";
import { chatSettingsRoutes } from "./http/chat-settings.ts";
import { classicRoutes } from "./http/classic.ts";
import { conversationRoutes } from "./http/conversations.ts";
import { documentRoutes } from "./http/documents.ts";
import { exportRoutes } from "./http/export.ts";
import { imageRoutes } from "./http/images.ts";
import { messageRoutes } from "./http/messages.ts";
import type { ModelPolicy } from "./http/model-policy.ts";
import { oidcRoutes } from "./http/oidc.ts";
import { openAiRoutes } from "./http/openai.ts";
import { responsesRoutes } from "./http/responses.ts";
import { shareRoutes } from "./http/shares.ts";
import { streamRoutes } from "./http/streams.ts";
import { answerUiChat, uiChatRoutes } from "./http/ui-chat.ts";
import { usageRoutes } from "./http/usage.ts";
import type { Services } from "./services.ts";
import { type StreamParts, uiChatDeps } from "./stream-parts.ts";

/** Sluice's stream routes, the classic one, and the AI SDK's chat resume, Stop and messages. */
export function streamAndUiChatRoutes(services: Services, parts: StreamParts) {
  const { startGeneration, generations } = services;
  const { policy, openEventStream, admitStream } = parts;
  const uiChat = uiChatDeps(services, parts);
  return new Elysia()
    .use(streamRoutes({ generations, openEventStream }))
    .use(classicRoutes({ generations, startGeneration, openEventStream, policy, admitStream }))
    .use(uiChat ? uiChatRoutes(uiChat) : new Elysia());
}

/** The OpenAI-compatible routes: chat completions (a pass-through) and the Responses API (generations). */
export function openAiCompatibleRoutes(services: Services, parts: StreamParts, defences: Defences) {
  const { config } = services;
  return new Elysia()
    .use(passThroughRoutes(services, defences, parts.policy, parts.streamOpened))
    .use(responsesRoutes({ ...services, ...parts, images: config.images, modelApi: config.responsesUpstream }));
}

/** `/v1`: the OpenAI-compatible pass-through, under the same limits, budgets and accounting as answers. */
function passThroughRoutes(
  services: Services,
  defences: Defences,
  policy: ModelPolicy,
  streamOpened: (limitKey: string | undefined) => Promise<Held>,
) {
  const { config, registry } = services;
  return openAiRoutes({
    upstream: services.upstream,
    timeouts: services.timeouts,
    observer: services.metrics.passThrough,
    streamOpened,
    policy: {
      ...policy,
      anyContent: config.v1AllowAnyContent || !defences.passThroughPolicy,
      firstLimitSpellingOnly: !defences.passThroughPolicy,
    },
    userLimits: services.userLimits,
    acquireCall: () => registry.acquireCall(),
    includeUsage: services.includeUsage,
    accounting: services.accounting,
  });
}

/** Asking: what the page learns before it asks (its caps, the tools), and `POST /api/chat` (the AI SDK's body too). */
export function askingRoutes(services: Services, parts: StreamParts, defences: Defences) {
  const { config } = services;
  const { policy, tools } = parts;
  const { systemPrompt, images } = config;
  const share = services.conversations ? config.share : "off";
  const uiChat = uiChatDeps(services, parts);
  return new Elysia().use(chatSettingsRoutes({ systemPrompt, images, documents: config.documents, tools, share })).use(
    chatRoutes({
      startGeneration: services.startGeneration,
      // Off only for the attacker suite's negative control: limits checked once the question is stored.
      reserveGeneration: defences.reservedStart ? services.reserveGeneration : undefined,
      conversations: services.conversations,
      checkpoints: services.checkpoints,
      policy,
      context: parts.turn.context,
      continuation: config.continuation,
      images,
      documents: { limits: config.documents, reader: services.pdfReader },
      tools,
      answerUiChat: uiChat && answerUiChat(uiChat),
    }),
  );
}

/**
 * Single sign-on's routes (AUTH=oidc), and the admin page and API (with a store): what admins see
 * and do, over the store's activity and audit log, sign-outs, running generations, usage and budgets.
 */
export function accessRoutes(
  services: Services,
  access: Access,
  usageAdmin: UsageAdmin | undefined,
  admin: { publicDir: string | undefined; adminOnly: boolean },
) {
  const app = new Elysia();
  if (access.oidc) app.use(oidcRoutes({ access, oidc: access.oidc, publicUrl: services.config.publicUrl }));
  const store = services.conversations;
  if (!store) return app;
  const usage = usageAdmin ?? (services.accounting ? usageAdminOf(services.accounting) : {});
  const { running, generations } = services;
  const parts = { store, sessions: access.sessions, running, generations, usage };
  return app.use(adminRoutes({ admin: createAdmin(parts), ...admin }));
}

/**
 * Every route over stored conversations: the conversations, their messages, exports, images and
 * documents, token usage, and share links (unless SHARE=off).
 */
export function storedConversationRoutes(
  services: Services,
  store: ConversationStore,
  policy: ModelPolicy,
  publicDir: string | undefined,
) {
  const app = new Elysia()
    .use(conversationRoutes(store, policy))
    .use(messageRoutes(store))
    .use(exportRoutes(store))
    .use(imageRoutes(store))
    .use(documentRoutes(store));
  if (services.accounting) app.use(usageRoutes(store, services.accounting));
  const mode = services.config.share;
  if (mode !== "off") app.use(shareRoutes({ store, mode, publicDir }));
  return app;
}
