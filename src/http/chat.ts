/**
 * `POST /api/chat` starts a generation at once and answers where to watch it.
 * - Without a conversation, `messages` is the whole exchange (a one-shot answer).
 * - With a `conversationId`, the client sends only the new question (`content`) and the id of
 *   the last message it has seen (`parentId`), or with `replace` the one to answer after (Edit),
 *   or names the question to answer again (`regenerate`) or the answer to go on with (`continue`).
 *   The route parses and checks the body (its documents read); the turn (conversations/turn.ts)
 *   decides the rest: the branch, the attachments, the context, the model, the stale-view 409,
 *   what is stored.
 */
import { Elysia } from "elysia";
import type { AnswerCheckpoints } from "../conversations/checkpoints.ts";
import type { ContextSettings } from "../conversations/context.ts";
import type { ContinueSettings } from "../conversations/continuation.ts";
import type { ConversationStore } from "../conversations/store.ts";
import { startTurn } from "../conversations/turn.ts";
import type { PdfReader } from "../documents/pdf-reader.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { Generation } from "../generation/generation.ts";
import { type Reservation, STORED_IMAGE_BYTE_WEIGHT } from "../limits/inflight-bytes.ts";
import type { DocumentLimits, ImageLimits } from "../settings/attachments.ts";
import type { ResponsesUpstream } from "../settings/model-api.ts";
import type { ChatRequest } from "../upstream/chat-stream.ts";
import { liftedDataUrlsOf } from "./chat-body.ts";
import type { UiChatBody } from "./dialect-schemas.ts";
import type { LiftedDataUrls } from "./lifted-data-urls.ts";
import { chooseModel, type ModelPolicy, outputTokens } from "./model-policy.ts";
import { readQuestion } from "./question-parts.ts";
import { reservationOf } from "./request-reservations.ts";
import { type Caller, callerOf } from "./requester.ts";
import { ChatBody } from "./schemas.ts";
import { setAsideUiChatBody, uiChatBodyOf } from "./ui-chat-body.ts";

/** How a generation starts, beside its model call. */
export interface StartOptions {
  /** Runs to its end whoever watches (see generation/cancel-policy.ts). */
  background?: boolean;
  /** The stream id, when the caller recorded it before starting (conversations/record.ts). */
  id?: string;
  /** How long it waits for a viewer to return before it is cancelled (default CANCEL_GRACE_MS). */
  cancelGraceMs?: number;
  /** What the route records of the request, kept with the generation on every instance (generation/view.ts). */
  details?: string;
  /** The model server's API the call goes through (default: its chat completions). */
  modelApi?: ResponsesUpstream;
  /** Offer the operator's MCP tools (tools/tool-loop.ts); ignored when none are declared. */
  tools?: boolean;
  /** The request's in-flight reservation, which hands the call the images it carries. */
  from?: Reservation | undefined;
}

/**
 * Starts one model call as a generation owned by the caller, within their limits; a background
 * one runs to its end whoever watches.
 */
export type StartGeneration = (request: ChatRequest, caller: Caller, options?: StartOptions) => Promise<Generation>;

/** A generation admitted ahead of its start, its slots held: starting it cannot be refused by a limit. */
export interface GenerationReservation {
  /** Starts the generation in the held slots; throws only for a shutdown or unreachable shared state (503). */
  start(request: ChatRequest, options?: StartOptions): Promise<Generation>;
  /** Gives the slots back when it is not started after all (idempotent; nothing once started). */
  release(): void;
}

export interface ChatRouteDeps {
  startGeneration: StartGeneration;
  /**
   * Admits a generation and holds its slots, throwing what starting it would throw now (429, 503),
   * before anything is stored. Without it, limits are checked only when the answer starts.
   */
  reserveGeneration?: ((caller: Caller) => Promise<GenerationReservation>) | undefined;
  /** Absent in tests that need no storage. */
  conversations: ConversationStore | undefined;
  /** Keeps a running answer's text stored while it runs. */
  checkpoints?: AnswerCheckpoints | undefined;
  policy: ModelPolicy;
  context: ContextSettings;
  continuation: ContinueSettings;
  /** Images per question and per context; absent: none accepted. */
  images?: ImageLimits | undefined;
  /** Answers the AI SDK's body (ui-chat.ts), which shares this path; absent: it is refused as Sluice's. */
  answerUiChat?: ((body: UiChatBody, request: Request) => Promise<Response>) | undefined;
  /** Documents per question and per context, and what reads PDFs; absent: none accepted. */
  documents?: { limits: DocumentLimits; reader: PdfReader } | undefined;
  /** Whether MCP tools are declared, and whether a conversation that has not chosen gets them. */
  tools?: { available: boolean; defaultOn: boolean } | undefined;
}

/** Whether a conversation's answer may call tools: when some are declared, as it chose, else by default. */
export function toolsChoice(settings: ChatRouteDeps["tools"]) {
  return (chosen: boolean | null) => (settings?.available ?? false) && (chosen ?? settings?.defaultOn ?? false);
}

const noImages: ImageLimits = { maxCount: 0, maxBytes: 0, contextMaxImages: 0 };
const noDocuments: DocumentLimits = {
  maxCount: 0,
  maxBytes: 0,
  maxChars: 0,
  readTimeoutMs: 0,
  contextMaxDocuments: 0,
  contextSharePercent: 1,
};

/** The call's settings but its model, which a conversation may choose. */
type Settings = Omit<ChatRequest, "messages" | "model">;

export function chatRoutes(deps: ChatRouteDeps) {
  return new Elysia({ name: "chat" }).post(
    "/api/chat",
    async ({ body, set, request }) => {
      const ui = deps.answerUiChat && uiChatBodyOf(request);
      if (ui && deps.answerUiChat) return deps.answerUiChat(ui, request);
      const caller = callerOf(request);
      // Checked before anything is read or stored: a model the server does not offer is a 400.
      const asked = body.model === undefined ? undefined : chooseModel(deps.policy, body.model);
      const settings: Settings = {
        max_tokens: outputTokens(deps.policy, body.max_tokens),
        temperature: body.temperature,
      };
      set.status = 202;
      if (body.conversationId === undefined) {
        if (!body.messages) throw new ValidationError("messages", "must be a list of 1 to 1000 messages");
        const model = asked ?? chooseModel(deps.policy, undefined);
        const generation = await deps.startGeneration({ ...settings, model, messages: body.messages }, caller);
        return { streamId: generation.id, streamUrl: `/api/streams/${generation.id}` };
      }
      // The model asked for, else the conversation's own choice while the server still offers it, else the default.
      const model = (chosen: string | null) =>
        asked ??
        (chosen !== null && deps.policy.models.includes(chosen) ? chosen : chooseModel(deps.policy, undefined));
      const question = { body, lifted: liftedDataUrlsOf(request), reservation: reservationOf(request) };
      return answerInConversation(deps, caller, question, settings, model);
    },
    { body: ChatBody, transform: deps.answerUiChat ? setAsideUiChatBody : undefined },
  );
}

/** The question of a Regenerate or Continue is the stored one: the body names a message instead. */
function questionOf(body: ChatBody): ChatBody["content"] | undefined {
  const named = body.regenerate !== undefined ? "regenerate" : body.continue !== undefined ? "continue" : undefined;
  if (named) {
    if (body.regenerate !== undefined && body.continue !== undefined)
      throw new ValidationError("continue", "must not be given with regenerate");
    if (body.content !== undefined || body.replace) throw new ValidationError(named, "takes no content or replace");
    return undefined;
  }
  // An older client sends the whole history: only its last question counts, the rest is stored.
  const content = body.content ?? body.messages?.findLast((message) => message.role === "user")?.content;
  if (!content) throw new ValidationError("content", "must be the new question");
  return content;
}

/** A turn of a stored conversation: parsed and checked here, decided by the turn (conversations/turn.ts). */
async function answerInConversation(
  deps: ChatRouteDeps,
  caller: Caller,
  { body, lifted, reservation: held }: { body: ChatBody; lifted: LiftedDataUrls; reservation: Reservation | undefined },
  settings: Settings,
  model: (chosen: string | null) => string,
) {
  const content = questionOf(body);
  // Checked (count, size, type by the bytes, a PDF's text) before anything is stored or sent.
  const images = deps.images ?? noImages;
  const documents = deps.documents?.limits ?? noDocuments;
  const limits = { images, documents, reader: deps.documents?.reader };
  const asked =
    content === undefined
      ? { text: "", images: [], documents: [] }
      : await readQuestion(content, limits, caller.user, lifted);
  if (!deps.conversations) throw new NotFoundError("conversation");
  const turn = {
    store: deps.conversations,
    context: deps.context,
    contextMaxImages: images.contextMaxImages,
    documents: { maxDocuments: documents.contextMaxDocuments, sharePercent: documents.contextSharePercent },
    continuation: deps.continuation,
    checkpoints: deps.checkpoints,
  };
  const request = {
    owner: caller.user,
    conversationId: body.conversationId as string,
    question: asked.text,
    images: asked.images,
    documents: asked.documents,
    parentId: body.parentId,
    replace: body.replace,
    regenerate: body.regenerate,
    continues: body.continue,
    model,
    tools: toolsChoice(deps.tools),
    // Stored images the turn sends again are counted before they are loaded, like a body's.
    holdBytes: held && ((bytes: number) => held.add(bytes * STORED_IMAGE_BYTE_WEIGHT)),
  };
  // Admission and start are one step: the slots taken before the question is stored are the ones
  // the answer starts in, so a question is never stored and then refused by a limit.
  const reserve = deps.reserveGeneration;
  let reservation: GenerationReservation | undefined;
  try {
    const started = await startTurn(turn, request, {
      admit:
        reserve &&
        (async () => {
          reservation = await reserve(caller);
        }),
      start: (id, messages, chosen, tools) => {
        const options = { background: true, id, tools, from: held };
        const asked = { ...settings, model: chosen ?? model(null), messages };
        return reservation ? reservation.start(asked, options) : deps.startGeneration(asked, caller, options);
      },
    });
    const { generation, context, questionId, continues } = started;
    return {
      streamId: generation.id,
      streamUrl: `/api/streams/${generation.id}`,
      context,
      questionId,
      ...(continues ? { continuesId: continues } : {}),
      model: started.model,
    };
  } finally {
    reservation?.release();
  }
}
