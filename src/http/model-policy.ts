/**
 * What a client may ask of the model: only the models the operator lists (MODELS), and at most
 * MAX_OUTPUT_TOKENS per answer, so nobody can spend the operator's key on anything else.
 */
import { ValidationError } from "../errors.ts";

export interface ModelPolicy {
  /** Allowed models; the first is the default. */
  models: readonly string[];
  maxOutputTokens: number;
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

/** A pass-through body cut to the allowed fields, with the model and the token limit checked. */
export function passThroughBody(policy: ModelPolicy, body: Record<string, unknown>): Record<string, unknown> {
  const kept = Object.fromEntries(Object.entries(body).filter(([field]) => PASSED_FIELDS.has(field)));
  kept.model = chooseModel(policy, body.model as string | undefined);
  // One answer per request: n > 1 multiplies the cost of a call.
  if (body.n !== undefined && body.n !== 1) throw new ValidationError("n", "must be 1");
  const field = body.max_completion_tokens !== undefined ? "max_completion_tokens" : "max_tokens";
  kept[field] = outputTokens(policy, body[field] as number | undefined, field);
  return kept;
}
