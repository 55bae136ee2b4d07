/**
 * `POST /api/chat` starts a generation at once and answers where to watch it.
 * - Without a conversation, `messages` is the whole exchange (a one-shot answer).
 * - With a `conversationId`, the client sends only the new question (`content`) and the id of
 *   the last message it has seen (`parentId`), or with `replace` the one to answer after
 *   (Regenerate, Edit). The route parses and checks the body; the turn (conversations/turn.ts)
 *   decides the rest: the thread, the images, the context, the stale-view 409, what is stored.
 */
import { Elysia } from "elysia";
import type { ImageLimits } from "../config.ts";
import type { AnswerCheckpoints } from "../conversations/checkpoints.ts";
import type { ContextSettings } from "../conversations/context.ts";
import type { ConversationStore } from "../conversations/store.ts";
import { startTurn } from "../conversations/turn.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { Generation } from "../generation/generation.ts";
import type { ChatRequest } from "../upstream/chat-stream.ts";
import { readQuestion } from "./image-parts.ts";
import { chooseModel, type ModelPolicy, outputTokens } from "./model-policy.ts";
import { type Caller, callerOf } from "./requester.ts";
import { ChatBody } from "./schemas.ts";

/**
 * Starts one model call as a generation owned by the caller, within their limits; a background
 * one runs to its end whoever watches.
 */
export type StartGeneration = (
  request: ChatRequest,
  caller: Caller,
  options?: { background?: boolean; id?: string },
) => Promise<Generation>;

export interface ChatRouteDeps {
  startGeneration: StartGeneration;
  /** Throws what starting a generation would throw now (429, 503), before anything is stored. */
  admitGeneration?: (caller: Caller) => Promise<void>;
  /** Absent in tests that need no storage. */
  conversations: ConversationStore | undefined;
  /** Keeps a running answer's text stored while it runs. */
  checkpoints?: AnswerCheckpoints | undefined;
  policy: ModelPolicy;
  context: ContextSettings;
  /** Images per question and per context; absent: none accepted. */
  images?: ImageLimits | undefined;
}

const noImages: ImageLimits = { maxCount: 0, maxBytes: 0, contextMaxImages: 0 };

type Settings = Omit<ChatRequest, "messages">;

export function chatRoutes(deps: ChatRouteDeps) {
  return new Elysia({ name: "chat" }).post(
    "/api/chat",
    async ({ body, set, request }) => {
      const caller = callerOf(request);
      const settings: Settings = {
        model: chooseModel(deps.policy, body.model),
        max_tokens: outputTokens(deps.policy, body.max_tokens),
        temperature: body.temperature,
      };
      set.status = 202;
      if (body.conversationId === undefined) {
        if (!body.messages) throw new ValidationError("messages", "must be a list of 1 to 1000 messages");
        const generation = await deps.startGeneration({ ...settings, messages: body.messages }, caller);
        return { streamId: generation.id, streamUrl: `/api/streams/${generation.id}` };
      }
      return answerInConversation(deps, caller, body, settings);
    },
    { body: ChatBody },
  );
}

/** The new question of a stored conversation: parsed and checked here, decided by the turn (conversations/turn.ts). */
async function answerInConversation(deps: ChatRouteDeps, caller: Caller, body: ChatBody, settings: Settings) {
  // An older client sends the whole history: only its last question counts, the rest is stored.
  const content = body.content ?? body.messages?.findLast((message) => message.role === "user")?.content;
  if (!content) throw new ValidationError("content", "must be the new question");
  // Checked (count, size, type by magic bytes) before anything is read, stored or sent.
  const limits = deps.images ?? noImages;
  const { text: question, images: sent } = readQuestion(content, limits);
  if (!deps.conversations) throw new NotFoundError("conversation");
  const turn = {
    store: deps.conversations,
    context: deps.context,
    contextMaxImages: limits.contextMaxImages,
    checkpoints: deps.checkpoints,
  };
  const request = {
    owner: caller.user,
    conversationId: body.conversationId as string,
    question,
    images: sent,
    parentId: body.parentId,
    replace: body.replace,
  };
  const admit = deps.admitGeneration;
  const { generation, context } = await startTurn(turn, request, {
    admit: admit && (() => admit(caller)),
    start: (id, messages) => deps.startGeneration({ ...settings, messages }, caller, { background: true, id }),
  });
  return { streamId: generation.id, streamUrl: `/api/streams/${generation.id}`, context };
}
