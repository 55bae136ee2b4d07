/**
 * What a client may ask of the model: only the models the operator lists (MODELS), and at most
 * MAX_OUTPUT_TOKENS per answer, so nobody can spend the operator's key on anything else; on
 * `/v1`, only text and images the request itself carries, so nobody can have the model's server
 * fetch an address of their choosing.
 */
import { ValidationError } from "../errors.ts";

export interface ModelPolicy {
  /** Allowed models; the first is the default. */
  models: readonly string[];
  maxOutputTokens: number;
  /** `/v1` may pass remote URLs and non-image content parts (V1_ALLOW_ANY_CONTENT). */
  anyContent?: boolean;
  /** Check only the first spelling of the token limit a body gives: a negative control's, never production's. */
  firstLimitSpellingOnly?: boolean;
}

/** The model to call: the one asked for if it is allowed, else the default; 400 naming `field` otherwise. */
export function chooseModel(policy: Pick<ModelPolicy, "models">, asked: string | undefined, field = "model"): string {
  if (asked === undefined) return policy.models[0] as string;
  if (!policy.models.includes(asked)) throw new ValidationError(field, `must be one of ${policy.models.join(", ")}`);
  return asked;
}

/** The answer's token limit: what was asked if within the cap, else 400 naming `field`; the cap when nothing was asked. */
export function outputTokens(policy: ModelPolicy, asked: number | undefined, field = "max_tokens"): number {
  if (asked === undefined) return policy.maxOutputTokens;
  if (!Number.isInteger(asked) || asked < 1 || asked > policy.maxOutputTokens)
    throw new ValidationError(field, `must be a whole number from 1 to ${policy.maxOutputTokens}`);
  return asked;
}

/**
 * The `/v1/chat/completions` fields passed to the model; any other field is dropped, so a client
 * cannot reach provider features the operator did not mean to offer.
 */
const PASSED_FIELDS = new Set([
  "messages",
  "model",
  "stream",
  "stream_options",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "n",
  "stop",
  "presence_penalty",
  "frequency_penalty",
  "logit_bias",
  "logprobs",
  "top_logprobs",
  "seed",
  "user",
  "response_format",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
]);

/**
 * Every spelling of the answer's token limit among the passed fields. Providers honour either
 * (OpenAI prefers the second, vLLM and llama.cpp read both), so each one given is checked: a
 * capped one must not hide an uncapped other. Other providers' spellings (`max_output_tokens`,
 * `num_predict`, `n_predict`) are not passed at all.
 */
const TOKEN_LIMIT_FIELDS = ["max_tokens", "max_completion_tokens"] as const;

/** A pass-through body cut to the allowed fields, with the model, the token limits and the content checked. */
export function passThroughBody(policy: ModelPolicy, body: Record<string, unknown>): Record<string, unknown> {
  const kept = Object.fromEntries(Object.entries(body).filter(([field]) => PASSED_FIELDS.has(field)));
  kept.model = chooseModel(policy, body.model as string | undefined);
  // One answer per request: n > 1 multiplies the cost of a call.
  if (body.n !== undefined && body.n !== 1) throw new ValidationError("n", "must be 1");
  const given = TOKEN_LIMIT_FIELDS.filter((field) => body[field] !== undefined).reverse();
  if (policy.firstLimitSpellingOnly) given.splice(1);
  for (const field of given) kept[field] = outputTokens(policy, body[field] as number, field);
  if (given.length === 0) kept.max_tokens = policy.maxOutputTokens;
  if (!policy.anyContent) checkContentParts(body.messages);
  return kept;
}

// An image the request carries itself: a data: URL of an image type, never an address to fetch.
const DATA_IMAGE = /^data:image\/[a-z0-9.+-]+;base64,/i;
// What a message's content parts may be: text, the model's own refusal, and such images.
const PLAIN_PARTS = new Set(["text", "refusal"]);

/**
 * Refuses content parts that would have the model's server fetch something or read a file: an
 * `image_url` with a remote URL (`http://169.254.169.254/…`), and `file`, `input_audio` or any part
 * other than text and images, naming the field.
 */
function checkContentParts(messages: unknown): void {
  if (!Array.isArray(messages)) return;
  messages.forEach((message, index) => {
    const content = (message as { content?: unknown } | null)?.content;
    if (!Array.isArray(content)) return;
    content.forEach((part: unknown, partIndex) => {
      const field = `messages[${index}].content[${partIndex}]`;
      const { type, image_url } = (part ?? {}) as { type?: unknown; image_url?: { url?: unknown } };
      if (typeof type === "string" && PLAIN_PARTS.has(type)) return;
      if (type !== "image_url")
        throw new ValidationError(`${field}.type`, "only text and image_url parts are passed to the model");
      if (typeof image_url?.url !== "string" || !DATA_IMAGE.test(image_url.url))
        throw new ValidationError(`${field}.image_url.url`, "must be a data:image/…;base64 URL, not an address");
    });
  });
}
