/**
 * `POST /api/chat` starts a generation at once and answers where to watch it.
 * - Without a conversation, `messages` is the whole exchange (a one-shot answer).
 * - With a `conversationId`, the client sends only the new question (`content`) and the id of
 *   the last message it has seen (`parentId`); the server assembles the context from the stored
 *   thread, stores the question now and the answer when the generation ends. A client whose view
 *   is stale (the conversation moved on elsewhere) gets 409. With `replace`, the answer replaces
 *   every turn after `parentId`: Regenerate (the same question) and Edit (a new one).
 */
import { Elysia } from "elysia";
import type { ImageLimits } from "../config.ts";
import type { AnswerCheckpoints } from "../conversations/checkpoints.ts";
import { assembleContext, type ContextSettings, expectedParent, retriesLast } from "../conversations/context.ts";
import { imagesOfReplaced, loadCarriedImages } from "../conversations/context-images.ts";
import type { NewImage } from "../conversations/images.ts";
import { recordExchange } from "../conversations/record.ts";
import type { Conversation, ConversationStore, Message } from "../conversations/store.ts";
import { ConversationBusyError, NotFoundError, SluiceError, ValidationError } from "../errors.ts";
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

async function answerInConversation(deps: ChatRouteDeps, caller: Caller, body: ChatBody, settings: Settings) {
  const { conversations } = deps;
  const conversationId = body.conversationId as string;
  // An older client sends the whole history: only its last question counts, the rest is stored.
  const content = body.content ?? body.messages?.findLast((message) => message.role === "user")?.content;
  if (!content) throw new ValidationError("content", "must be the new question");
  // Checked (count, size, type by magic bytes) before anything is read, stored or sent.
  const { text: question, images: sent } = readQuestion(content, deps.images ?? noImages);
  // Read before the model call starts, so a wrong id or a stale view costs nothing upstream.
  const conversation = await conversations?.get(caller.user, conversationId);
  if (!conversations || !conversation) throw new NotFoundError("conversation");
  const { images, context } = await contextFor(deps, caller.user, conversation, body, question, sent);
  // Nothing is stored, and no later turn replaced, for a request that would be refused anyway.
  await deps.admitGeneration?.(caller);
  if (body.replace && !(await conversations.truncateAfter(caller.user, conversationId, body.parentId ?? null)))
    throw new ConversationBusyError();
  // The question is stored before the model call starts: a failure to store it costs nothing
  // upstream. The answer belongs to the conversation: it finishes and is stored even when its
  // viewer leaves (another conversation, a closed tab, a lost network); only Stop or a limit
  // ends it early.
  const recorded = await recordExchange(conversations, {
    owner: caller.user,
    conversationId,
    userMessage: question,
    images,
    start: (id) => deps.startGeneration({ ...settings, messages: context.messages }, caller, { background: true, id }),
    checkpoints: deps.checkpoints,
  });
  if (!recorded) throw new NotFoundError("conversation");
  const { generation } = recorded;
  return {
    streamId: generation.id,
    streamUrl: `/api/streams/${generation.id}`,
    context: { messages: context.messages.length, dropped: context.dropped },
  };
}

/**
 * The question's images (those sent, or for Regenerate and Edit the replaced question's) and the
 * model's context: the conversation's own instructions (else SYSTEM_PROMPT), the thread, and the
 * stored images it carries again.
 */
async function contextFor(
  deps: ChatRouteDeps,
  owner: string,
  conversation: Conversation,
  body: ChatBody,
  question: string,
  sent: NewImage[],
) {
  const store = deps.conversations as ConversationStore;
  const { id, messages } = conversation;
  const thread = threadToAnswer(messages, question, body, sent.length > 0);
  const images =
    body.replace && sent.length === 0 ? await imagesOfReplaced(store, owner, id, messages[thread.length]) : sent;
  // A question of images alone is asked again (Retry) as empty text: its images are stored.
  const retried = !body.replace && retriesLast(messages, question, sent.length > 0) ? messages.at(-2) : undefined;
  if (question.trim() === "" && images.length === 0 && !retried?.images?.length)
    throw new ValidationError("content", "must hold text or an image");
  const maxImages = deps.images?.contextMaxImages ?? 0;
  const stored = await loadCarriedImages(store, owner, id, thread, images.length, maxImages);
  const settings = { ...deps.context, systemPrompt: conversation.system_prompt ?? deps.context.systemPrompt };
  return { images, context: assembleContext(thread, question, settings, { sent: images, stored }) };
}

const moved = () =>
  new SluiceError("conversation_moved", "this conversation changed elsewhere; reload it and ask again", 409);

/**
 * The stored turns the question follows. Normally the whole thread, whose last message must be the
 * one the client saw (`parentId`); with `replace`, the thread up to `parentId`, whose later turns
 * the new answer replaces (regenerate: the question again; edit: a new one).
 */
function threadToAnswer(stored: Message[], question: string, body: ChatBody, withImages: boolean): Message[] {
  if (!body.replace) {
    if (body.parentId !== undefined && body.parentId !== expectedParent(stored, question, withImages)) throw moved();
    return stored;
  }
  if (body.parentId === undefined) throw new ValidationError("parentId", "is required to replace later messages");
  const index = body.parentId === null ? -1 : stored.findIndex((message) => message.id === body.parentId);
  if (body.parentId !== null && index < 0) throw moved();
  return stored.slice(0, index + 1);
}
