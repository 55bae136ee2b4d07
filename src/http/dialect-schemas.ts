/**
 * Request schemas of the dialects Sluice speaks besides its own: OpenAI's Responses API
 * (`/v1/responses`) and the AI SDK's chat transport. Like schemas.ts, a field that fails is
 * answered 400 naming it.
 */
import { t } from "elysia";
import { Id, maxSystemPromptLength } from "./schemas.ts";

const nullable = <S extends Parameters<typeof t.Union>[0][number]>(schema: S, error: string) =>
  t.Optional(t.Union([schema, t.Null()], { error }));

/**
 * `POST /v1/responses`: the fields Sluice reads, typed; `input`'s items are read by
 * responses-input.ts, which names the exact item and part that is wrong. Fields OpenAI defines that
 * Sluice does not serve are refused by name (responses-request.ts); others are dropped.
 */
export const ResponsesBody = t.Object(
  {
    model: t.Optional(t.String({ minLength: 1, maxLength: 200, error: "must be a model name" })),
    input: t.Union(
      [
        t.String({ minLength: 1, error: "must be a non-empty string" }),
        t.Array(t.Object({}, { additionalProperties: true }), { minItems: 1, maxItems: 1_000 }),
      ],
      { error: "must be text or a list of 1 to 1000 input items" },
    ),
    instructions: nullable(t.String({ maxLength: maxSystemPromptLength }), "must be text or null"),
    stream: nullable(t.Boolean(), "must be true or false"),
    background: nullable(t.Boolean(), "must be true or false"),
    store: nullable(t.Boolean(), "must be true or false"),
    previous_response_id: nullable(t.String({ maxLength: 200 }), "must be a response id or null"),
    max_output_tokens: nullable(t.Integer({ minimum: 1 }), "must be a whole number from 1"),
    temperature: nullable(t.Number({ minimum: 0, maximum: 2 }), "must be a number from 0 to 2"),
    top_p: nullable(t.Number({ minimum: 0, maximum: 1 }), "must be a number from 0 to 1"),
    metadata: nullable(
      t.Record(t.String({ maxLength: 64 }), t.String({ maxLength: 512 }), { maxProperties: 16 }),
      "must be at most 16 string values (keys up to 64 characters, values up to 512)",
    ),
    user: t.Optional(t.String({ maxLength: 256, error: "must be text" })),
  },
  { additionalProperties: true },
);

export type ResponsesBody = typeof ResponsesBody.static;

/** A response id in a path: `resp_` and a stream id, with its conversation's id after a dot when it was stored. */
export const ResponseParams = t.Object({
  id: t.String({ pattern: "^resp_[A-Za-z0-9_-]{1,64}(\\.[A-Za-z0-9_-]{1,64})?$", error: "must be a response id" }),
});

export const ResponseQuery = t.Object({
  stream: t.Optional(t.Union([t.Literal("true"), t.Literal("false")], { error: "must be true or false" })),
  starting_after: t.Optional(t.String({ pattern: "^\\d{1,15}$", error: "must be a sequence number" })),
  include_obfuscation: t.Optional(t.String()),
});

/** One message of an AI SDK chat (a UIMessage): its parts are read by ui-chat-body.ts. */
const UiMessageSchema = t.Object(
  {
    id: t.Optional(t.String({ maxLength: 200, error: "must be a message id" })),
    role: t.Union([t.Literal("system"), t.Literal("user"), t.Literal("assistant")], {
      error: "must be one of system, user, assistant",
    }),
    parts: t.Array(
      t.Object({ type: t.String({ error: "must name the part's type" }) }, { additionalProperties: true }),
      {
        maxItems: 1_000,
        error: "must be a list of parts",
      },
    ),
  },
  { additionalProperties: true },
);

/** The body the AI SDK's chat transport sends (`DefaultChatTransport`): the chat's id, its messages, what to do. */
export const UiChatBody = t.Object(
  {
    id: Id("a chat"),
    messages: t.Array(UiMessageSchema, { minItems: 1, maxItems: 1_000, error: "must be a list of 1 to 1000 messages" }),
    trigger: t.Union([t.Literal("submit-message"), t.Literal("regenerate-message")], {
      error: "must be submit-message or regenerate-message",
    }),
    messageId: t.Optional(t.Union([t.String({ maxLength: 200 }), t.Null()], { error: "must be a message id" })),
    model: t.Optional(t.String({ minLength: 1, maxLength: 200, error: "must be a model name" })),
  },
  { additionalProperties: true },
);

export type UiChatBody = typeof UiChatBody.static;

export const ChatIdParams = t.Object({ id: Id("a chat") });
