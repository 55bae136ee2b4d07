/**
 * The Vercel AI SDK's chat endpoints, so that an app built on `useChat` can use Sluice as its
 * backend: `POST /api/chat` with the SDK's body (ui-chat-body.ts) answers in the UI message stream
 * (sse/ui-message-dialect.ts), `GET /api/chat/:id/stream` resumes the running answer from its
 * start (204 when none runs: what `useChat({resume: true})` asks on mount), `DELETE
 * /api/chat/:id/stream` is Stop, and `GET /api/chat/:id/messages` reads the chat back as the SDK's
 * messages. The chat is a Sluice conversation of the caller (ui-chat-conversation.ts), and every
 * answer is one of its turns: stored as it runs, finished whoever watches, resumable on any instance.
 */
import { Elysia } from "elysia";
import type { HoldBytes } from "../conversations/context-images.ts";
import type { ConversationStore } from "../conversations/store.ts";
import { startTurn, type TurnDeps } from "../conversations/turn.ts";
import type { Generation } from "../generation/generation.ts";
import type { GenerationDirectory, GenerationView } from "../generation/view.ts";
import { textOpenAfter, UI_MESSAGE_STREAM_HEADERS, uiMessageDialect } from "../sse/ui-message-dialect.ts";
import { untilAnswerStored } from "./answer-stored.ts";
import { type ChatRouteDeps, type GenerationReservation, toolsChoice } from "./chat.ts";
import { ChatIdParams, type UiChatBody } from "./dialect-schemas.ts";
import type { OpenEventStream } from "./event-stream.ts";
import { chooseModel, type ModelPolicy, outputTokens } from "./model-policy.ts";
import { storedImagesHold } from "./request-reservations.ts";
import { type Caller, callerOf, requesterOf, userOf } from "./requester.ts";
import { lastEventIdOf, resumePoint } from "./resume-point.ts";
import { StreamQuery } from "./schemas.ts";
import { stopGeneration } from "./stop.ts";
import { questionOf } from "./ui-chat-body.ts";
import { chatConversation, findChatConversation } from "./ui-chat-conversation.ts";
import { turnOf } from "./ui-chat-turn.ts";
import { uiMessageOf } from "./ui-message-parts.ts";

export interface UiChatDeps {
  store: ConversationStore;
  generations: GenerationDirectory;
  reserveGeneration: (caller: Caller) => Promise<GenerationReservation>;
  openEventStream: OpenEventStream;
  /** Throws when no event-stream slot is free (for anyone, or for this user), so a refused stream starts no model call. */
  admitStream: (limitKey: string) => Promise<void>;
  policy: ModelPolicy;
  /** What a conversation's turn needs besides its store. */
  turn: Omit<TurnDeps, "store">;
  /** Whether MCP tools are declared, and whether a chat that has not chosen gets them. */
  tools?: ChatRouteDeps["tools"];
}

/** The UI message stream of `generation` for one viewer, from `after` (0: from the start, opening parts too). */
function messageStream(deps: UiChatDeps, generation: GenerationView, after: number, request: Request, chat: string) {
  const dialect = uiMessageDialect(generation.id, after === 0, textOpenAfter(generation.log, after));
  const headers = { ...UI_MESSAGE_STREAM_HEADERS, "x-sluice-conversation-id": chat };
  const { limitKey } = requesterOf(request);
  return deps.openEventStream(generation, { after, dialect, signal: request.signal, headers, limitKey });
}

/**
 * Starts the answer the SDK asks for in the chat's conversation; the generation and the
 * conversation. `holdBytes` counts the stored images it sends again (the request's in-flight budget).
 */
async function startAnswer(deps: UiChatDeps, caller: Caller, body: UiChatBody, holdBytes: HoldBytes | undefined) {
  const { store } = deps;
  const owner = caller.user;
  const asked = body.model === undefined ? undefined : chooseModel(deps.policy, body.model);
  const question = body.trigger === "submit-message" ? questionOf(body) : "";
  // Admitted before anything is stored: a refused answer leaves no question (and no new chat) behind.
  const reservation = await deps.reserveGeneration(caller);
  let chat: { id: string; created: boolean } | undefined;
  try {
    chat = await chatConversation(store, owner, body.id);
    // The SDK sends the next message the moment the last answer's stream ended.
    if (!chat.created) await untilAnswerStored(store, deps.generations, owner, chat.id);
    const position = await turnOf(store, owner, chat.id, body);
    const model = (chosen: string | null) =>
      asked ?? (chosen !== null && deps.policy.models.includes(chosen) ? chosen : chooseModel(deps.policy, undefined));
    const request = {
      owner,
      conversationId: chat.id,
      question,
      images: [],
      ...position,
      model,
      answerIdIsStreamId: true,
      tools: toolsChoice(deps.tools),
      holdBytes,
    };
    const started = await startTurn({ store, ...deps.turn }, request, {
      start: (id, messages, chosen, tools) =>
        reservation.start(
          { model: chosen ?? model(null), messages, max_tokens: outputTokens(deps.policy, undefined) },
          { background: true, id, tools },
        ),
    });
    return { generation: started.generation as Generation, chat: chat.id };
  } catch (error) {
    if (chat?.created) await store.delete(owner, chat.id).catch(() => false);
    throw error;
  } finally {
    reservation.release();
  }
}

/** `POST /api/chat` with the AI SDK's body: the answer as a UI message stream. */
export function answerUiChat(deps: UiChatDeps) {
  return async (body: UiChatBody, request: Request): Promise<Response> => {
    const caller = callerOf(request);
    await deps.admitStream(caller.limitKey);
    const { generation, chat } = await startAnswer(deps, caller, body, storedImagesHold(request));
    return messageStream(deps, generation, 0, request, chat);
  };
}

export function uiChatRoutes(deps: UiChatDeps) {
  /** The generation answering in the caller's chat `chatId` now, with its conversation's id. */
  const running = async (chatId: string, request: Request) => {
    const owner = userOf(request);
    const chat = await findChatConversation(deps.store, owner, chatId);
    const streamId = chat && (await deps.store.get(owner, chat, { limit: 1 }))?.running_stream_id;
    const generation = streamId ? await deps.generations.find(streamId, owner) : undefined;
    return generation && chat ? { generation, chat } : undefined;
  };
  const nothingRuns = () => new Response(null, { status: 204 });
  return new Elysia({ name: "ui-chat" })
    .get(
      "/api/chat/:id/stream",
      async ({ params, query, request }) => {
        const found = await running(params.id, request);
        if (!found) return nothingRuns();
        const dialect = uiMessageDialect(found.generation.id, false);
        const after = await resumePoint(lastEventIdOf(request, query), dialect, found.generation);
        return messageStream(deps, found.generation, after, request, found.chat);
      },
      { params: ChatIdParams, query: StreamQuery },
    )
    .delete(
      "/api/chat/:id/stream",
      async ({ params, request }) => {
        const found = await running(params.id, request);
        if (!found) return nothingRuns();
        const end = (await stopGeneration(found.generation))?.end;
        const finish_reason = end?.type === "done" ? end.finish_reason : null;
        return { streamId: found.generation.id, conversationId: found.chat, finish_reason };
      },
      { params: ChatIdParams },
    )
    .get(
      "/api/chat/:id/messages",
      async ({ params, request }) => {
        const owner = userOf(request);
        const chat = await findChatConversation(deps.store, owner, params.id);
        // Read the moment an answer's stream ended, the chat holds that answer.
        if (chat) await untilAnswerStored(deps.store, deps.generations, owner, chat);
        const read = chat ? await deps.store.get(owner, chat) : undefined;
        // The answer being written is not stored yet: GET …/stream resumes it.
        const messages = (read?.messages ?? []).map(uiMessageOf);
        return { conversationId: chat ?? null, messages };
      },
      { params: ChatIdParams },
    );
}
