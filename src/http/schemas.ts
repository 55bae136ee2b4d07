/**
 * Request schemas: the one source of the API's input types (`typeof ChatBody.static`). A field
 * that fails its schema is answered 400 naming the field (error-response.ts). The other dialects'
 * bodies (the Responses API's, the AI SDK's chat) are in dialect-schemas.ts.
 */
import { t } from "elysia";
import type { ChatMessage } from "../contract.ts";

const ChatMessageSchema = t.Object({
  role: t.Union([t.Literal("system"), t.Literal("user"), t.Literal("assistant")], {
    error: "must be one of system, user, assistant",
  }),
  content: t.String({ minLength: 1, error: "must be a non-empty string" }),
});

// The schema's type and the contract's must stay one and the same.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const messageSchemaMatchesContract: Same<typeof ChatMessageSchema.static, ChatMessage> = true;
void messageSchemaMatchesContract;

// Ids the server made (UUIDs) and ids a client may name: letters, digits, "-" and "_", so an
// id never carries a path, a quote or a control character into a log or a query.
const idPattern = "^[A-Za-z0-9_-]{1,64}$";
/** An id in a path or a body, as `what` names it in the 400 that refuses it. */
export const Id = (what: string) => t.String({ pattern: idPattern, error: `must be ${what} id` });

/**
 * OpenAI content parts: text, images as `data:` URLs (checked further by image-parts.ts), and
 * documents as `file` parts with a `data:` URL (read by document-parts.ts).
 */
const ContentPartSchema = t.Union(
  [
    t.Object({ type: t.Literal("text"), text: t.String() }),
    t.Object({
      type: t.Literal("image_url"),
      image_url: t.Object({ url: t.String(), detail: t.Optional(t.String({ maxLength: 10 })) }),
    }),
    t.Object({
      type: t.Literal("file"),
      file: t.Object({ filename: t.Optional(t.String({ maxLength: 1_000 })), file_data: t.String() }),
    }),
  ],
  {
    error:
      'must be {"type":"text","text"}, {"type":"image_url","image_url":{"url"}} or {"type":"file","file":{"filename","file_data"}}',
  },
);

export const ChatBody = t.Object({
  /** The whole exchange, for a one-shot answer (no conversation). */
  messages: t.Optional(
    t.Array(ChatMessageSchema, { minItems: 1, maxItems: 1_000, error: "must be a list of 1 to 1000 messages" }),
  ),
  /** With a conversation: the new question only (text, or content parts with images); the server has the rest. */
  content: t.Optional(
    t.Union(
      [
        t.String({ minLength: 1, error: "must be a non-empty string" }),
        t.Array(ContentPartSchema, { minItems: 1, maxItems: 64 }),
      ],
      { error: "must be a non-empty string or a list of content parts" },
    ),
  ),
  /** With a conversation: a new version of what follows `parentId` (Edit; Regenerate when the question is the same). */
  replace: t.Optional(t.Boolean({ error: "must be true or false" })),
  /** With a conversation: the id of the last message the client has seen (null: none); with `replace`, the one to answer after. */
  parentId: t.Optional(t.Union([t.String({ maxLength: 100 }), t.Null()], { error: "must be a message id or null" })),
  /** With a conversation: a new answer to this stored question, beside its earlier ones (Regenerate). */
  regenerate: t.Optional(Id("a question")),
  /** With a conversation: a new generation appended to this cut-off answer (Continue). */
  continue: t.Optional(Id("an answer")),
  model: t.Optional(t.String({ minLength: 1, maxLength: 200, error: "must be a model name" })),
  max_tokens: t.Optional(t.Integer({ minimum: 1, maximum: 1_000_000, error: "must be a whole number from 1" })),
  temperature: t.Optional(t.Number({ minimum: 0, maximum: 2, error: "must be a number from 0 to 2" })),
  conversationId: t.Optional(Id("a conversation")),
});

export type ChatBody = typeof ChatBody.static;

export const StreamParams = t.Object({ id: Id("a stream") });

export const DocumentParams = t.Object({ id: Id("a conversation"), documentId: Id("a document") });

export const ClassicQuery = t.Object({
  q: t.Optional(t.String({ maxLength: 100_000, error: "must be the question text" })),
  lastEventId: t.Optional(t.String()),
});

export const StreamQuery = t.Object({
  lastEventId: t.Optional(t.String({ maxLength: 200 })),
});

/** `/v1/chat/completions`: checked just enough to route it; the rest goes to the model as sent. */
export const CompletionBody = t.Object(
  {
    messages: t.Array(
      t.Object({ role: t.String({ minLength: 1, error: "must be a role" }) }, { additionalProperties: true }),
      { minItems: 1, error: "must be a non-empty list of messages" },
    ),
    model: t.Optional(t.String({ minLength: 1, error: "must be a model name" })),
    stream: t.Optional(t.Boolean({ error: "must be true or false" })),
  },
  { additionalProperties: true },
);

const maxTitleLength = 200;

export const ConversationIdParams = t.Object({ id: Id("a conversation") });

export const ConversationListQuery = t.Object({
  // A string checked by pattern, not t.Numeric: Number() takes "5.5", "1e2", " 7" and "0x10",
  // and a fraction reached SQLite's LIMIT as a 500. ASCII digits only, so "٥" is refused too.
  limit: t.Optional(t.String({ pattern: "^(100|[1-9][0-9]?)$", error: "expected a whole number 1..100" })),
  before: t.Optional(t.String({ maxLength: 200 })),
  /** Search: only conversations whose title or messages hold these words (search.ts). */
  q: t.Optional(t.String({ maxLength: 200, error: "must be at most 200 characters of search text" })),
});

/** A conversation's read: a path through its tree, or a window of it (conversations/path-read.ts). */
export const ConversationReadQuery = t.Object({
  /** Any message: the path through it, down to its newest leaf (default: the current leaf). */
  leaf: t.Optional(Id("a message")),
  /** The oldest message already read: the part of the path above it. */
  before: t.Optional(Id("a message")),
  limit: t.Optional(t.String({ pattern: "^(1000|[1-9][0-9]{0,2})$", error: "expected a whole number 1..1000" })),
  max_bytes: t.Optional(
    t.String({ pattern: "^[1-9][0-9]{2,8}$", error: "expected a whole number of bytes from 100 to 999999999" }),
  ),
});

export const MessageParams = t.Object({ id: Id("a conversation"), messageId: Id("a message") });

export const CreateConversationBody = t.Optional(
  t.Object({ title: t.Optional(t.String({ maxLength: maxTitleLength })) }),
);

/** The most characters of a conversation's own system prompt (custom instructions). */
export const maxSystemPromptLength = 8_000;

/** PATCH: a new title, new instructions (null or blank: the server's default), a model, a branch to show; any of them. */
export const UpdateConversationBody = t.Object({
  title: t.Optional(t.String({ minLength: 1, maxLength: maxTitleLength })),
  /** Any message: the branch through it (down to its newest leaf) becomes the one every device shows. */
  current_leaf_id: t.Optional(Id("a message")),
  /** One of MODELS; null: the server's default. */
  model: t.Optional(
    t.Union([t.String({ minLength: 1, maxLength: 200 }), t.Null()], { error: "must be a model name, or null" }),
  ),
  system_prompt: t.Optional(
    t.Union([t.String({ maxLength: maxSystemPromptLength }), t.Null()], {
      error: `must be text of at most ${maxSystemPromptLength} characters, or null for the default`,
    }),
  ),
  /** Whether answers may call the operator's MCP tools; null: the server's default (TOOLS_DEFAULT). */
  tools: t.Optional(t.Union([t.Boolean(), t.Null()], { error: "must be true, false, or null for the default" })),
});

export const ExportQuery = t.Object({
  format: t.Union([t.Literal("md"), t.Literal("json")], { error: "must be md or json" }),
});

// A UTC day, `YYYY-MM-DD`; whether it exists on the calendar is checked by the route.
const Day = (what: string) => t.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$", error: `must be ${what}, YYYY-MM-DD` });

/** `GET /api/usage`: the days of the report, both included (default: this month so far). */
export const UsageReportQuery = t.Object({
  from: t.Optional(Day("the first day")),
  to: t.Optional(Day("the last day")),
});

export const ShareParams = t.Object({ id: Id("a share") });

export const SharedImageParams = t.Object({ id: Id("a share"), imageId: Id("an image") });

/** `GET /api/shares`: the caller's links, of one conversation when given. */
export const ShareListQuery = t.Object({ conversation: t.Optional(Id("a conversation")) });
