/**
 * `POST /api/chat` starts a generation at once and answers where to watch it. With a
 * `conversationId`, the question is stored now and the answer when the generation ends.
 */
import { Elysia } from "elysia";
import { recordExchange } from "../conversations/record.ts";
import type { ConversationStore } from "../conversations/store.ts";
import { NotFoundError } from "../errors.ts";
import type { Generation } from "../generation/generation.ts";
import type { ChatRequest } from "../upstream/chat-stream.ts";
import { chooseModel, type ModelPolicy, outputTokens } from "./model-policy.ts";
import { type Caller, callerOf } from "./requester.ts";
import { ChatBody } from "./schemas.ts";

/**
 * Starts one model call as a generation owned by the caller, within their limits; a background
 * one runs to its end whoever watches.
 */
export type StartGeneration = (request: ChatRequest, caller: Caller, options?: { background?: boolean }) => Generation;

export interface ChatRouteDeps {
  startGeneration: StartGeneration;
  /** Absent in tests that need no storage. */
  conversations: ConversationStore | undefined;
  policy: ModelPolicy;
}

export function chatRoutes({ startGeneration, conversations, policy }: ChatRouteDeps) {
  return new Elysia({ name: "chat" }).post(
    "/api/chat",
    async ({ body, set, request }) => {
      const caller = callerOf(request);
      const owner = caller.user;
      const conversationId = body.conversationId;
      const chat: ChatRequest = {
        model: chooseModel(policy, body.model),
        messages: body.messages,
        max_tokens: outputTokens(policy, body.max_tokens),
        temperature: body.temperature,
      };
      // Checked before the model call starts, so a wrong id costs nothing upstream.
      if (conversationId && !(await conversations?.exists(owner, conversationId)))
        throw new NotFoundError("conversation");
      // An answer that belongs to a conversation finishes and is stored even when its viewer
      // leaves (another conversation, a closed tab, a lost network); a one-shot one is cancelled.
      const generation = startGeneration(chat, caller, { background: conversationId !== undefined });
      if (conversationId && conversations) {
        const question = body.messages.findLast((message) => message.role === "user")?.content ?? "";
        await recordExchange(conversations, { owner, conversationId, userMessage: question, generation });
      }
      set.status = 202;
      return { streamId: generation.id, streamUrl: `/api/streams/${generation.id}` };
    },
    { body: ChatBody },
  );
}
