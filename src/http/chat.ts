/**
 * `POST /api/chat` starts a generation at once and answers where to watch it. With a
 * `conversationId`, the question is stored first and the model called only once it is; the
 * answer is stored while it runs (checkpoints) and when it ends.
 */
import { Elysia } from "elysia";
import type { AnswerCheckpoints } from "../conversations/checkpoints.ts";
import { recordExchange } from "../conversations/record.ts";
import type { ConversationStore } from "../conversations/store.ts";
import { NotFoundError } from "../errors.ts";
import type { Generation } from "../generation/generation.ts";
import type { ChatRequest } from "../upstream/chat-stream.ts";
import { ChatBody } from "./schemas.ts";

export interface ChatRouteDeps {
  startGeneration: (request: ChatRequest, id?: string) => Generation;
  /** Throws what starting a generation would throw now (429, 503), before anything is stored. */
  admitGeneration?: () => void;
  /** Absent in tests that need no storage. */
  conversations: ConversationStore | undefined;
  checkpoints?: AnswerCheckpoints | undefined;
  defaultModel: string;
}

export function chatRoutes({
  startGeneration,
  admitGeneration,
  conversations,
  checkpoints,
  defaultModel,
}: ChatRouteDeps) {
  return new Elysia({ name: "chat" }).post(
    "/api/chat",
    async ({ body, set }) => {
      const request: ChatRequest = {
        model: body.model ?? defaultModel,
        messages: body.messages,
        max_tokens: body.max_tokens,
        temperature: body.temperature,
      };
      const conversationId = body.conversationId;
      let generation: Generation;
      if (conversationId && conversations) {
        admitGeneration?.();
        const userMessage = body.messages.findLast((message) => message.role === "user")?.content ?? "";
        const start = (streamId: string) => startGeneration(request, streamId);
        // The question is stored before the model call starts: a failure to store it costs nothing upstream.
        const recorded = await recordExchange(conversations, { conversationId, userMessage, start, checkpoints });
        if (!recorded) throw new NotFoundError("conversation");
        generation = recorded.generation;
      } else {
        if (conversationId) throw new NotFoundError("conversation");
        generation = startGeneration(request);
      }
      set.status = 202;
      return { streamId: generation.id, streamUrl: `/api/streams/${generation.id}` };
    },
    { body: ChatBody },
  );
}
