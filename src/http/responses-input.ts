/**
 * A Responses API `input` (text, or a list of messages whose content is text or typed parts) read
 * into chat messages, as the model's chat completions take them. Each item and part is checked,
 * and a refusal names it (`input[2].content[0].type`): messages only (this server runs no tools),
 * text parts, and images as `data:` URLs checked as `/api/chat` checks them.
 * Reference: https://platform.openai.com/docs/api-reference/responses/create#responses_create-input
 */

import type { ContentPart, ModelMessage } from "../contract.ts";
import type { NewImage } from "../conversations/images.ts";
import { ValidationError } from "../errors.ts";
import type { ImageLimits } from "../settings/attachments.ts";
import { readImage } from "./image-parts.ts";

/** An input message as chat messages take it: `developer` is the system role of newer models. */
export interface InputMessage extends ModelMessage<"system" | "user" | "assistant"> {
  /** Text, or parts as the request wrote them (images as `data:` URLs). */
  content: string | ContentPart[];
}

const ROLES: Record<string, InputMessage["role"]> = {
  user: "user",
  assistant: "assistant",
  system: "system",
  developer: "system",
};

/** Text parts joined, and images as `/api/chat` checks them (count, size, type by its bytes); a 400 names `field`. */
function readQuestion(content: string | ContentPart[], limits: ImageLimits, field: string): StoredQuestion {
  if (typeof content === "string") return { text: content, images: [] };
  const imageCount = content.filter((part) => part.type === "image_url").length;
  if (imageCount > limits.maxCount)
    throw new ValidationError(
      field,
      limits.maxCount === 0 ? "this server takes no images" : `at most ${limits.maxCount} images per message`,
    );
  const texts: string[] = [];
  const images: NewImage[] = [];
  content.forEach((part, index) => {
    if (part.type === "text") texts.push(part.text);
    else images.push(readImage(part.image_url.url, `${field}[${index}].image_url.url`, limits.maxBytes));
  });
  return { text: texts.join("\n"), images };
}

/** One content part as a chat content part. */
function readPart(part: Record<string, unknown>, field: string): ContentPart {
  const { type } = part;
  if (type === "input_text" || type === "output_text" || type === "refusal") {
    const text = type === "refusal" ? part.refusal : part.text;
    if (typeof text !== "string") throw new ValidationError(`${field}.text`, "must be text");
    return { type: "text", text };
  }
  if (type === "input_image") {
    if (typeof part.image_url !== "string")
      throw new ValidationError(`${field}.image_url`, "must be a data: URL (file ids are not served here)");
    return { type: "image_url", image_url: { url: part.image_url } };
  }
  throw new ValidationError(`${field}.type`, "must be input_text, output_text or input_image");
}

/** One item of `input`: a message, as `{role, content}` with `type: "message"` or none. */
function readItem(item: Record<string, unknown>, field: string, limits: ImageLimits): InputMessage {
  if (item.type !== undefined && item.type !== "message")
    throw new ValidationError(`${field}.type`, "must be a message: this server runs no tools");
  const role = ROLES[item.role as string];
  if (!role) throw new ValidationError(`${field}.role`, "must be one of user, assistant, system, developer");
  const { content } = item;
  if (typeof content === "string") return { role, content };
  if (!Array.isArray(content) || content.length === 0)
    throw new ValidationError(`${field}.content`, "must be text or a non-empty list of parts");
  const parts = content.map((part, index) =>
    readPart((part ?? {}) as Record<string, unknown>, `${field}.content[${index}]`),
  );
  if (parts.some((part) => part.type === "image_url")) {
    if (role !== "user") throw new ValidationError(`${field}.content`, "only a user message may hold images");
    // Checked (count, size, type by its bytes) as a question's images are.
    readQuestion(parts, limits, `${field}.content`);
    return { role, content: parts };
  }
  return { role, content: parts.map((part) => (part.type === "text" ? part.text : "")).join("") };
}

/** `input` as chat messages, oldest first. */
export function readInput(input: string | Record<string, unknown>[], limits: ImageLimits): InputMessage[] {
  if (typeof input === "string") return [{ role: "user", content: input }];
  return input.map((item, index) => readItem(item, `input[${index}]`, limits));
}

/** A question to store: one user message's text and images. */
export interface StoredQuestion {
  text: string;
  images: NewImage[];
}

/**
 * The question of a response that is stored in a conversation: `messages` must be one user message
 * after any system messages (which join the instructions); undefined when `messages` is more (a
 * history, which the client keeps itself).
 */
export function questionOf(
  messages: InputMessage[],
  limits: ImageLimits,
): { question: StoredQuestion; instructions: string[] } | undefined {
  const system = messages.filter((message) => message.role === "system");
  const rest = messages.slice(system.length);
  const [asked] = rest;
  if (rest.length !== 1 || asked?.role !== "user" || system.length !== messages.length - 1) return undefined;
  const question = readQuestion(asked.content, limits, `input[${system.length}].content`);
  const instructions = system.map((message) => (typeof message.content === "string" ? message.content : ""));
  return { question, instructions };
}
