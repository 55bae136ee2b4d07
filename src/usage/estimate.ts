/**
 * Token counts Sluice makes itself, where a model reports none: about four characters per token
 * of English, a few per message for its framing, and a flat figure per image. The same rule sizes
 * a conversation's context (conversations/context.ts) and estimates what an answer cost when its
 * usage is missing (a model not asked for it, or an answer cut before it came).
 */
import type { ModelMessage } from "../contract.ts";

/**
 * A rough count for one image: OpenAI bills a detailed 512 px tile at 170 tokens plus 85, and a
 * typical screenshot or photo is four tiles (765); rounded up, since other servers count more.
 */
export const IMAGE_TOKENS = 800;

// Each message's role and separators, in OpenAI's chat format (its cookbook counts 3 to 4).
const MESSAGE_FRAMING_TOKENS = 4;

/** The estimated tokens of `text` alone. */
export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** A rough token count of one message: its text, its images, and its framing. */
export function estimateTokens(message: ModelMessage): number {
  if (typeof message.content === "string") return MESSAGE_FRAMING_TOKENS + estimateTextTokens(message.content);
  return message.content.reduce(
    (sum, part) => sum + (part.type === "text" ? estimateTextTokens(part.text) : IMAGE_TOKENS),
    MESSAGE_FRAMING_TOKENS,
  );
}

/**
 * The estimated prompt of a request's `messages`, as any client sends them (`/v1` passes parts
 * Sluice does not model): text parts and images count, anything else only its framing.
 */
export function estimatePromptTokens(messages: readonly unknown[]): number {
  let sum = 0;
  for (const message of messages) {
    const content = (message as { content?: unknown } | null)?.content;
    sum += MESSAGE_FRAMING_TOKENS;
    if (typeof content === "string") sum += estimateTextTokens(content);
    else if (Array.isArray(content)) for (const part of content) sum += partTokens(part);
  }
  return sum;
}

function partTokens(part: unknown): number {
  const { type, text } = (part ?? {}) as { type?: unknown; text?: unknown };
  if (type === "image_url" || type === "image_bytes") return IMAGE_TOKENS;
  return typeof text === "string" ? estimateTextTokens(text) : 0;
}

/** An estimated usage: `prompt` and `completion` tokens counted by Sluice. */
export function estimatedUsage(prompt: number, completion: number) {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    estimated: true as const,
  };
}
