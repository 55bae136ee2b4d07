/**
 * Request schemas: the one source of the API's input types (`typeof ChatBody.static`).
 */
import { t } from "elysia";

export const ChatMessage = t.Object({
  role: t.Union([t.Literal("system"), t.Literal("user"), t.Literal("assistant")], {
    error: "must be one of system, user, assistant",
  }),
  content: t.String({ minLength: 1, error: "must be a non-empty string" }),
});

export const ChatBody = t.Object({
  messages: t.Array(ChatMessage, { minItems: 1, maxItems: 1_000, error: "must be a list of 1 to 1000 messages" }),
  model: t.Optional(t.String({ minLength: 1, maxLength: 200, error: "must be a model name" })),
  max_tokens: t.Optional(t.Integer({ minimum: 1, maximum: 1_000_000, error: "must be a whole number from 1" })),
  temperature: t.Optional(t.Number({ minimum: 0, maximum: 2, error: "must be a number from 0 to 2" })),
  conversationId: t.Optional(t.String({ minLength: 1, maxLength: 100, error: "must be a conversation id" })),
});

export type ChatBody = typeof ChatBody.static;

export const StreamParams = t.Object({ id: t.String({ minLength: 1, maxLength: 100 }) });

export const ClassicQuery = t.Object({
  q: t.Optional(t.String({ maxLength: 100_000, error: "must be the question text" })),
  lastEventId: t.Optional(t.String()),
});

export const StreamQuery = t.Object({
  lastEventId: t.Optional(t.String({ maxLength: 200 })),
});
