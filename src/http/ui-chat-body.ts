/**
 * The Vercel AI SDK's chat request, as its `DefaultChatTransport` posts it to `/api/chat`:
 * `{id, messages, trigger, messageId}`, messages made of typed parts. It shares the path with
 * Sluice's own body and is told apart by its `trigger`, which Sluice's body never has: the
 * route's transform sets it aside, checked against its own schema, before Sluice's is applied.
 * Reference: https://ai-sdk.dev/docs/ai-sdk-ui/chatbot
 */
import { getSchemaValidator } from "elysia";
import { ValidationError } from "../errors.ts";
import { UiChatBody } from "./dialect-schemas.ts";
import { toValidationError } from "./error-response.ts";

const validator = getSchemaValidator(UiChatBody, {});
const setAside = new WeakMap<Request, UiChatBody>();

/**
 * The route transform of `POST /api/chat`: an AI SDK body is checked (a 400 naming the field) and
 * kept for the request, and the route's own schema sees an empty body, which it accepts.
 */
export function setAsideUiChatBody(context: { body: unknown; request: Request }): void {
  const body = context.body as { trigger?: unknown } | null;
  if (typeof body?.trigger !== "string") return;
  const checked = validator.safeParse(body);
  if (!checked.success) throw toValidationError({ all: checked.errors.filter((issue) => issue !== undefined) });
  setAside.set(context.request, checked.data as UiChatBody);
  context.body = {};
}

/** The AI SDK body `request` carried, if it was one. */
export function uiChatBodyOf(request: Request): UiChatBody | undefined {
  return setAside.get(request);
}

/**
 * The new question: the text parts of the last message, which must be the user's. Files are
 * refused (this route takes text); other parts (steps, data, reasoning) carry no question.
 */
export function questionOf(body: UiChatBody): string {
  const index = body.messages.length - 1;
  const last = body.messages[index];
  if (last?.role !== "user") throw new ValidationError(`messages[${index}].role`, "must be user: the new question");
  const texts: string[] = [];
  last.parts.forEach((part: { type: string; text?: unknown }, at) => {
    if (part.type === "file") throw new ValidationError(`messages[${index}].parts[${at}].type`, "must be text here");
    if (part.type !== "text") return;
    if (typeof part.text !== "string")
      throw new ValidationError(`messages[${index}].parts[${at}].text`, "must be text");
    texts.push(part.text);
  });
  const text = texts.join("\n");
  if (text.trim() === "") throw new ValidationError(`messages[${index}].parts`, "must hold the question's text");
  return text;
}
