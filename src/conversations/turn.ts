/**
 * A chat turn in a stored conversation, from the question to the running answer: the one owner
 * of what a turn decides. It reads the conversation, places the question (turn-thread.ts: Ask,
 * Retry, Regenerate, Edit, the stale-view rule), picks the images that go with it, assembles the
 * model's context, makes room for the new turn, and records the exchange (record.ts) around the
 * model call it is given. Everything is decided and checked before anything is stored, so a
 * refused turn costs nothing upstream and changes nothing.
 */
import type { ModelMessage } from "../contract.ts";
import { ConversationBusyError, NotFoundError, ValidationError } from "../errors.ts";
import type { AnswerCheckpoints } from "./checkpoints.ts";
import { type AssembledContext, assembleContext, type ContextSettings } from "./context.ts";
import { imagesOfReplaced, loadCarriedImages } from "./context-images.ts";
import type { NewImage } from "./images.ts";
import { type GenerationLike, recordExchange } from "./record.ts";
import type { Conversation, ConversationStore } from "./store.ts";
import { placeQuestion, type ThreadToAnswer, type TurnPosition, threadToAnswer } from "./turn-thread.ts";

export interface TurnDeps {
  store: ConversationStore;
  /** The server's SYSTEM_PROMPT (a conversation's own instructions take its place) and the model's window. */
  context: ContextSettings;
  /** At most this many images in a context (CONTEXT_MAX_IMAGES), the question's own first. */
  contextMaxImages: number;
  /** Keeps a running answer's text stored while it runs. */
  checkpoints?: AnswerCheckpoints | undefined;
}

/** A new question in `owner`'s conversation, its images checked already. */
export interface TurnRequest extends TurnPosition {
  owner: string;
  conversationId: string;
  question: string;
  images: NewImage[];
}

/** The model call a turn starts, and the check that would refuse it. */
export interface TurnCall<G extends GenerationLike> {
  /** Throws what starting the call would throw now (429, 503), before anything is stored or replaced. */
  admit?: (() => Promise<void>) | undefined;
  /** Starts the call on `messages` under `streamId`; called once the question is stored. */
  start: (streamId: string, messages: ModelMessage[]) => Promise<G>;
}

export interface StartedTurn<G extends GenerationLike> {
  generation: G;
  /** How many messages the model was sent, and how many older ones were left out to fit its window. */
  context: { messages: number; dropped: number };
}

/** What a turn will store and send, decided from the conversation as it was read. */
interface PlannedTurn {
  answered: ThreadToAnswer;
  /** The question's images: those sent, or for Regenerate and Edit, the replaced question's. */
  images: NewImage[];
  context: AssembledContext;
}

/**
 * Starts a turn: stores the question, starts the model call, and stores the answer when it ends.
 * Throws 404 for a conversation that is not `owner`'s, 409 for a stale view or a conversation
 * already answering, 400 for an empty question or a replacement without `parentId`.
 */
export async function startTurn<G extends GenerationLike>(
  deps: TurnDeps,
  request: TurnRequest,
  call: TurnCall<G>,
): Promise<StartedTurn<G>> {
  const { store } = deps;
  const { owner, conversationId } = request;
  // Read before the model call starts, so a wrong id or a stale view costs nothing upstream.
  const conversation = await store.get(owner, conversationId);
  if (!conversation) throw new NotFoundError("conversation");
  const { answered, images, context } = await planTurn(deps, conversation, request);
  // Nothing is stored, and no later turn replaced, for a call that would be refused anyway.
  await call.admit?.();
  const { replaceAfter } = answered;
  if (replaceAfter !== undefined && !(await store.truncateAfter(owner, conversationId, replaceAfter)))
    throw new ConversationBusyError();
  // The question is stored before the model call starts: a failure to store it costs nothing
  // upstream. The answer belongs to the conversation: it finishes and is stored even when its
  // viewer leaves (another conversation, a closed tab, a lost network); only Stop or a limit ends it.
  const recorded = await recordExchange(store, {
    owner,
    conversationId,
    userMessage: request.question,
    images,
    start: (streamId) => call.start(streamId, context.messages),
    checkpoints: deps.checkpoints,
  });
  if (!recorded) throw new NotFoundError("conversation");
  return { generation: recorded.generation, context: { messages: context.messages.length, dropped: context.dropped } };
}

/**
 * The turn's thread, images and context: the conversation's own instructions (else the server's),
 * the stored turns, the images they carry again (context-images.ts), and the question last; a
 * retry asks again with its stored question's images.
 */
async function planTurn(deps: TurnDeps, conversation: Conversation, request: TurnRequest): Promise<PlannedTurn> {
  const { store } = deps;
  const { owner, question } = request;
  const sent = request.images;
  const answered = threadToAnswer(conversation.messages, question, sent.length > 0, request);
  const images =
    answered.replaceAfter !== undefined && sent.length === 0
      ? await imagesOfReplaced(store, owner, conversation.id, answered.replaced)
      : sent;
  const { history, retried } = placeQuestion(answered.thread, question, images.length > 0);
  // A question of images alone is asked again (Retry) as empty text: its images are stored.
  if (question.trim() === "" && images.length === 0 && !retried?.images?.length)
    throw new ValidationError("content", "must hold text or an image");
  const carried = await loadCarriedImages(
    store,
    owner,
    conversation.id,
    answered.thread,
    images.length,
    deps.contextMaxImages,
  );
  const asked = { text: question, images: retried ? (carried.get(retried.id) ?? []) : images };
  const settings = { ...deps.context, systemPrompt: conversation.system_prompt ?? deps.context.systemPrompt };
  return { answered, images, context: assembleContext(history, asked, settings, carried) };
}
