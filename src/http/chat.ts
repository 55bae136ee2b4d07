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
import { ChatBody } from "./schemas.ts";

export interface ChatRouteDeps {
  startGeneration: (request: ChatRequest) => Generation;
  /** Absent in tests that need no storage. */
  conversations: ConversationStore | undefined;
  defaultModel: string;
}

export function chatRoutes({ startGeneration, conversations, defaultModel }: ChatRouteDeps) {
  return new Elysia({ name: "chat" }).post(
    "/api/chat",
    async ({ body, set }) => {
      const conversationId = body.conversationId;
      // Checked before the model call starts, so a wrong id costs nothing upstream.
      if (conversationId && !(await conversations?.exists(conversationId))) throw new NotFoundError("conversation");
      const generation = startGeneration({
        model: body.model ?? defaultModel,
        messages: body.messages,
        max_tokens: body.max_tokens,
        temperature: body.temperature,
      });
      if (conversationId && conversations) {
        const question = body.messages.findLast((message) => message.role === "user")?.content ?? "";
        await recordExchange(conversations, { conversationId, userMessage: question, generation });
      }
      set.status = 202;
      return { streamId: generation.id, streamUrl: `/api/streams/${generation.id}` };
    },
    { body: ChatBody },
  );
}
