/**
 * A chat turn in a stored conversation, from the question to the running answer: the one owner
 * of what a turn decides. It reads the conversation's tree, places the turn (turn-thread.ts: Ask,
 * Retry, Edit, Regenerate, Continue, the stale-view rule), picks the images and documents that go with it,
 * assembles the model's context from the path to the question (never another branch), and records
 * the exchange (record.ts) around the model call it is given. Everything is decided and checked
 * before anything is stored, so a refused turn costs nothing upstream and changes nothing.
 */
import type { ModelMessage } from "../contract.ts";
import { ConversationMovedError, NotFoundError, ValidationError } from "../errors.ts";
import type { AnswerCheckpoints } from "./checkpoints.ts";
import {
  type AssembledContext,
  assembleContext,
  type ContextSettings,
  firstThatMayFit,
  sentBackCount,
} from "./context.ts";
import { type DocumentContextSettings, documentsOfReplaced, type SentDocument } from "./context-documents.ts";
import { type HoldBytes, imagesOfReplaced, loadCarriedImages } from "./context-images.ts";
import { type ContinueSettings, continuationTail } from "./continuation.ts";
import type { NewDocument } from "./documents.ts";
import type { NewImage } from "./images.ts";
import { type GenerationLike, recordExchange } from "./record.ts";
import type { ConversationStore } from "./store.ts";
import { MessageTree } from "./tree.ts";
import { planQuestionDocuments } from "./turn-documents.ts";
import { placeTurn, type ShapedTurn, shapeTurn, type TurnPosition } from "./turn-thread.ts";

export interface TurnDeps {
  store: ConversationStore;
  /** The server's SYSTEM_PROMPT (a conversation's own instructions take its place) and the model's window. */
  context: ContextSettings;
  /** At most this many images in a context (CONTEXT_MAX_IMAGES), the question's own first. */
  contextMaxImages: number;
  /** How many documents a context carries, and the share of the window they may take (absent: none carried). */
  documents?: DocumentContextSettings | undefined;
  /** How Continue asks the model to go on (CONTINUE_MODE, CONTINUE_INSTRUCTION). */
  continuation: ContinueSettings;
  /** Keeps a running answer's text stored while it runs. */
  checkpoints?: AnswerCheckpoints | undefined;
}

/** A turn in `owner`'s conversation, its images checked already. */
export interface TurnRequest extends TurnPosition {
  owner: string;
  conversationId: string;
  /** The new question (Ask, Edit, Retry; for Regenerate and Continue, the stored question is asked). */
  question: string;
  images: NewImage[];
  /** The question's documents, their text read already (absent: none). */
  documents?: NewDocument[] | undefined;
  /** The model to ask, given the conversation's own choice (null: none); checked by the caller. */
  model?: ((chosen: string | null) => string) | undefined;
  /** Whether the answer may call tools, given the conversation's own choice (null: none). */
  tools?: ((chosen: boolean | null) => boolean) | undefined;
  /**
   * Counts the stored images the turn loads to send again, before it loads them: the caller's
   * in-flight budget, which refuses (throws) rather than let parallel turns fill memory.
   */
  holdBytes?: HoldBytes | undefined;
  /** The answer is stored under its stream's id (record.ts). */
  answerIdIsStreamId?: boolean | undefined;
}

/** The model call a turn starts, and the check that would refuse it. */
export interface TurnCall<G extends GenerationLike> {
  /** Throws what starting the call would throw now (429, 503), before anything is stored. */
  admit?: (() => Promise<void>) | undefined;
  /** Starts the call on `messages` to `model` under `streamId`, with tools or not; called once the question is stored. */
  start: (streamId: string, messages: ModelMessage[], model: string | undefined, tools: boolean) => Promise<G>;
}

export interface StartedTurn<G extends GenerationLike> {
  generation: G;
  /**
   * How many messages the model was sent, how many older ones were left out to fit its window,
   * and every document it was sent with how much of each.
   */
  context: { messages: number; dropped: number; documents: SentDocument[] };
  /** The question the answer is written under. */
  questionId: string;
  /** Continue: the answer the generation's text is appended to. */
  continues: string | undefined;
  model: string | undefined;
}

/** What a turn will store and send, decided from the conversation as it was read. */
export interface PlannedTurn {
  turn: ShapedTurn;
  /** The question's images: those sent, or for an Edit, those of the question it redoes. */
  images: NewImage[];
  /** The question's documents, by the same rule. */
  documents: NewDocument[];
  context: AssembledContext;
  /** The documents the context holds, and how much of each was sent. */
  sentDocuments: SentDocument[];
  model: string | undefined;
  /** Whether the answer may call tools. */
  tools: boolean;
}

/**
 * Reads what a turn needs and decides it, storing nothing: its place in the tree, the path the
 * model reads (only that path's messages are loaded), the images and the context. Throws 404 for
 * a conversation (or a message) that is not `owner`'s, 409 for a stale view, 400 for a turn that
 * cannot be taken.
 */
export async function planTurn(deps: TurnDeps, request: TurnRequest): Promise<PlannedTurn> {
  const { store } = deps;
  const { owner, conversationId } = request;
  const found = await store.tree(owner, conversationId);
  if (!found) throw new NotFoundError("conversation");
  const leaf = found.conversation.current_leaf_id;
  const tree = new MessageTree(found.nodes);
  const { place, read } = placeTurn(tree, leaf, request);
  // Only the newest part of a long path can fit the model's window: the rest is never loaded.
  const path = read.flatMap((id) => tree.node(id) ?? []);
  const from = firstThatMayFit(path, deps.context.maxContextTokens);
  const rows = await store.messages(owner, conversationId, read.slice(from));
  // A message of the path deleted between the two reads: the view the turn was placed on is gone.
  if (rows.length !== read.length - from) throw new ConversationMovedError(leaf);
  const withAttachments = request.images.length + (request.documents?.length ?? 0) > 0;
  const turn = shapeTurn(place, rows, { ...request, withAttachments });
  const planned = await planContext(deps, request, turn, found.conversation.system_prompt);
  const dropped = planned.context.dropped + sentBackCount(path.slice(0, from));
  const { model, tools } = found.conversation;
  return {
    ...planned,
    turn,
    context: { ...planned.context, dropped },
    model: request.model?.(model),
    tools: request.tools?.(tools) ?? false,
  };
}

/**
 * Starts a turn: stores the question, starts the model call, and stores the answer when it ends.
 * Throws what {@link planTurn} throws, and 409 for a conversation already answering.
 */
export async function startTurn<G extends GenerationLike>(
  deps: TurnDeps,
  request: TurnRequest,
  call: TurnCall<G>,
): Promise<StartedTurn<G>> {
  // Read before the model call starts, so a wrong id or a stale view costs nothing upstream.
  const { turn, images, documents, context, sentDocuments, model, tools } = await planTurn(deps, request);
  // Nothing is stored for a call that would be refused anyway.
  await call.admit?.();
  // The question is stored before the model call starts: a failure to store it costs nothing
  // upstream. The answer belongs to the conversation: it finishes and is stored even when its
  // viewer leaves (another conversation, a closed tab, a lost network); only Stop or a limit ends it.
  const recorded = await recordExchange(deps.store, {
    owner: request.owner,
    conversationId: request.conversationId,
    userMessage: turn.again?.content ?? request.question,
    images,
    documents,
    placement: turn.placement,
    questionId: turn.questionId,
    model,
    answerIdIsStreamId: request.answerIdIsStreamId,
    start: (streamId) => call.start(streamId, context.messages, model, tools),
    checkpoints: deps.checkpoints,
  });
  if (!recorded) throw new NotFoundError("conversation");
  return {
    generation: recorded.generation,
    context: { messages: context.messages.length, dropped: context.dropped, documents: sentDocuments },
    questionId: turn.questionId,
    continues: turn.continued?.id,
    model,
  };
}

/**
 * The turn's images, documents and context: the conversation's own instructions (else the
 * server's), the stored turns of its path, the images and documents they carry again
 * (context-images.ts, context-documents.ts), the question last (a stored one asked again keeps its
 * attachments), and for Continue the partial answer after it.
 */
async function planContext(
  deps: TurnDeps,
  request: TurnRequest,
  turn: ShapedTurn,
  systemPrompt: string | null,
): Promise<Omit<PlannedTurn, "turn" | "model" | "tools">> {
  const { store } = deps;
  const { owner, conversationId, question } = request;
  const { history, again } = turn;
  // An Edit keeps the images and documents of the question it redoes unless it sends its own.
  const edit = turn.kind === "edit";
  const images =
    edit && request.images.length === 0
      ? await imagesOfReplaced(store, owner, conversationId, turn.redone, request.holdBytes)
      : request.images;
  const sentDocuments = request.documents ?? [];
  const documents =
    edit && sentDocuments.length === 0
      ? await documentsOfReplaced(store, owner, conversationId, turn.redone, request.holdBytes)
      : sentDocuments;
  // A question of attachments alone is asked again (Retry) as empty text: they are stored.
  if (!again && question.trim() === "" && images.length === 0 && documents.length === 0)
    throw new ValidationError("content", "must hold text, an image or a document");
  const thread = again ? [...history, again] : history;
  const own = again ? 0 : images.length;
  const max = deps.contextMaxImages;
  const carried = await loadCarriedImages(store, owner, conversationId, thread, own, max, request.holdBytes);
  const written = await planQuestionDocuments(deps, request, turn, documents);
  const asked = again
    ? { text: written.textOf(again), images: carried.get(again.id) ?? [] }
    : { text: written.asked(question), images };
  const settings = { ...deps.context, systemPrompt: systemPrompt ?? deps.context.systemPrompt };
  const tail = turn.continued ? continuationTail(turn.continued.content, deps.continuation) : [];
  const context = assembleContext(written.history, asked, settings, carried, tail);
  return { images, documents, context, sentDocuments: written.sent(context.sentIds) };
}
