/**
 * Writes one exchange of a chat into its conversation: the question before the generation
 * starts, its text while it runs (checkpoints.ts), the answer when it settles, however it ends.
 */
import type { GenerationOutcome } from "../contract.ts";
import { SluiceError } from "../errors.ts";
import { newStreamId } from "../stream-id.ts";
import type { AnswerCheckpoints, RunningAnswer } from "./checkpoints.ts";
import type { NewDocument } from "./documents.ts";
import type { NewImage } from "./images.ts";
import type { ConversationStore, ExchangeEnd, ExchangeStart } from "./store.ts";
import { titleFromMessage } from "./title.ts";
import type { TurnPlacement } from "./turn-thread.ts";

/** What recording needs of a generation: its id (the stream id), its text and its end. */
export type GenerationLike = RunningAnswer;

export interface ExchangeToRecord<G extends GenerationLike> {
  /** The user the conversation belongs to. */
  owner: string;
  conversationId: string;
  /** The text of the last user message, the one this generation answers. */
  userMessage: string;
  /** That message's images, stored with it. */
  images?: NewImage[] | undefined;
  /** That message's documents, stored with it. */
  documents?: NewDocument[] | undefined;
  /** Where the exchange goes in the tree (turn-thread.ts); default: an Ask after the current leaf. */
  placement?: TurnPlacement | undefined;
  /** The question the answer goes under (default: the one the store placed). */
  questionId?: string | undefined;
  /** The model asked, stored with the answer. */
  model?: string | undefined;
  /**
   * The answer is stored under the stream's id, so whoever knows the stream can name the answer
   * (a Responses API response id, an AI SDK message id). A Continue keeps its answer's id.
   */
  answerIdIsStreamId?: boolean | undefined;
  /** Starts the generation under the given stream id; called only once the question is stored. */
  start: (streamId: string) => G | Promise<G>;
  /** Keeps the running answer's text stored while it runs; none in tests that need none. */
  checkpoints?: AnswerCheckpoints | undefined;
}

export interface RecordedExchange<G extends GenerationLike> {
  generation: G;
  /** Resolves once the answer is stored (true) or could not be (false, logged); never rejects. */
  finished: Promise<boolean>;
}

/**
 * The stored form of a generation's outcome: Stop is "cancelled", an error keeps its code, and a
 * shutdown that cut the answer is "interrupted" (the chat offers Retry), never "cancelled".
 */
export function answerFromOutcome(streamId: string, outcome: GenerationOutcome): ExchangeEnd {
  const { end, text } = outcome;
  const steps = outcome.steps?.length ? { toolSteps: outcome.steps } : {};
  const usage = outcome.usage ? { usage: outcome.usage } : {};
  if (end.type === "error") {
    return {
      streamId,
      content: text,
      status: end.code === "server_shutdown" ? "interrupted" : "error",
      error: { code: end.code, message: end.message, retryable: end.retryable },
      ...steps,
      ...usage,
    };
  }
  // The figures the page shows under a live answer, kept so a reload shows the same.
  const figures = {
    ttft_ms: end.timings.ttft_ms,
    total_ms: end.timings.total_ms,
    completion_tokens: end.usage.completion_tokens,
    finish_reason: end.finish_reason,
  };
  const status = end.finish_reason === "cancelled" ? "cancelled" : "complete";
  return { streamId, content: text, status, figures, ...steps, ...usage };
}

/** Where an answer goes and who wrote it, from the exchange that started it. */
type AnswerPlace = Pick<ExchangeEnd, "parentId" | "continues" | "model" | "answerId">;

async function storeAnswer(
  store: ConversationStore,
  owner: string,
  conversationId: string,
  generation: GenerationLike,
  place: AnswerPlace,
) {
  let answer: ExchangeEnd;
  try {
    answer = { ...answerFromOutcome(generation.id, await generation.settled), ...place };
  } catch (cause) {
    // The generation's contract is to settle with an outcome; should it reject, the exchange
    // still ends, so the conversation is not left "running" until the next restart.
    const message = cause instanceof Error ? cause.message : String(cause);
    answer = {
      streamId: generation.id,
      content: "",
      status: "error",
      error: { code: "internal", message, retryable: true },
      ...place,
    };
  }
  // A store locked elsewhere is tried again: an answer left unstored would keep its conversation
  // "running" (and refusing new messages with 409) until the next restart.
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.finishExchange(owner, conversationId, answer);
    } catch (cause) {
      const busy = cause instanceof SluiceError && cause.code === "store_busy";
      if (busy && attempt < FINISH_ATTEMPTS) {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      }
      console.error(`conversation ${conversationId}: could not store the answer of ${generation.id}`, cause);
      return false;
    }
  }
}

const FINISH_ATTEMPTS = 5;

/** What the store is told when the exchange begins. */
function exchangeStart<G extends GenerationLike>(streamId: string, exchange: ExchangeToRecord<G>): ExchangeStart {
  const { placement, userMessage, images, documents, model } = exchange;
  // A question of documents alone is named after its first one.
  const titled = userMessage.trim() === "" && documents?.[0] ? documents[0].name : userMessage;
  const base = { streamId, title: titleFromMessage(titled), model };
  if (placement && ("answers" in placement || "continues" in placement)) return { ...base, ...placement };
  const attached = { ...(images ? { images } : {}), ...(documents ? { documents } : {}) };
  return { ...base, userContent: userMessage, ...attached, ...placement };
}

/**
 * Stores the user's message and marks the stream as the conversation's running one, then starts
 * the generation: a question that cannot be stored starts no model call (the store's error, a
 * 503 or a 409, propagates). Stores the answer when the generation settles. Undefined when the
 * conversation does not exist.
 */
export async function recordExchange<G extends GenerationLike>(
  store: ConversationStore,
  exchange: ExchangeToRecord<G>,
): Promise<RecordedExchange<G> | undefined> {
  const { owner, conversationId } = exchange;
  const streamId = newStreamId();
  const start = exchangeStart(streamId, exchange);
  if (!(await store.beginExchange(owner, conversationId, start))) return undefined;
  const continues = exchange.placement && "continues" in exchange.placement ? exchange.placement.continues : undefined;
  const answerId = exchange.answerIdIsStreamId && !continues ? streamId : undefined;
  const place = { parentId: exchange.questionId, continues, model: exchange.model, answerId };
  let generation: G;
  try {
    generation = await exchange.start(streamId);
  } catch (error) {
    // Refused after the question was stored (a limit reached meanwhile): end the exchange with the
    // refusal, so the conversation is not left running.
    const known = error instanceof SluiceError ? error : undefined;
    const failure = {
      code: known?.code ?? "internal_error",
      message: known?.message ?? "the answer could not start",
      retryable: true,
    };
    await store
      .finishExchange(owner, conversationId, { streamId, content: "", status: "error", error: failure, ...place })
      .catch(() => {});
    throw error;
  }
  const finished = storeAnswer(store, owner, conversationId, generation, place);
  exchange.checkpoints?.track(conversationId, generation, finished);
  return { generation, finished };
}
