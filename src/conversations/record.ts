/**
 * Writes one exchange of a chat into its conversation: the question as soon as the generation
 * starts, the answer when the generation settles, however it ends.
 */
import type { GenerationOutcome } from "../contract.ts";
import type { ConversationStore, ExchangeEnd } from "./store.ts";
import { titleFromMessage } from "./title.ts";

/** What recording needs of a generation: its id (the stream id) and its end. */
export interface GenerationLike {
  id: string;
  settled: Promise<GenerationOutcome>;
}

export interface ExchangeToRecord {
  /** The user the conversation belongs to. */
  owner: string;
  conversationId: string;
  /** The text of the last user message, the one this generation answers. */
  userMessage: string;
  generation: GenerationLike;
}

export interface RecordedExchange {
  /** False when the conversation does not exist (deleted meanwhile): nothing was stored. */
  started: boolean;
  /** Resolves once the answer is stored (true) or could not be (false, logged); never rejects. */
  finished: Promise<boolean>;
}

/** The stored form of a generation's outcome: Stop is "cancelled", an error keeps its code. */
export function answerFromOutcome(streamId: string, outcome: GenerationOutcome): ExchangeEnd {
  const { end, text } = outcome;
  if (end.type === "error") {
    return {
      streamId,
      content: text,
      status: "error",
      error: { code: end.code, message: end.message, retryable: end.retryable },
    };
  }
  return { streamId, content: text, status: end.finish_reason === "cancelled" ? "cancelled" : "complete" };
}

async function storeAnswer(store: ConversationStore, exchange: ExchangeToRecord) {
  const { owner, conversationId, generation } = exchange;
  let answer: ExchangeEnd;
  try {
    answer = answerFromOutcome(generation.id, await generation.settled);
  } catch (cause) {
    // The generation's contract is to settle with an outcome; should it reject, the exchange
    // still ends, so the conversation is not left "running" until the next restart.
    const message = cause instanceof Error ? cause.message : String(cause);
    answer = {
      streamId: generation.id,
      content: "",
      status: "error",
      error: { code: "internal", message, retryable: true },
    };
  }
  try {
    return await store.finishExchange(owner, conversationId, answer);
  } catch (cause) {
    console.error(`conversation ${conversationId}: could not store the answer of ${generation.id}`, cause);
    return false;
  }
}

/**
 * Stores the user's message and marks the generation as the conversation's running stream now;
 * stores the answer when `generation.settled` resolves. Call after checking the conversation exists.
 */
export async function recordExchange(store: ConversationStore, exchange: ExchangeToRecord): Promise<RecordedExchange> {
  const { owner, conversationId, userMessage, generation } = exchange;
  const started = await store.beginExchange(owner, conversationId, {
    streamId: generation.id,
    userContent: userMessage,
    title: titleFromMessage(userMessage),
  });
  const finished = started ? storeAnswer(store, exchange) : Promise.resolve(false);
  return { started, finished };
}
