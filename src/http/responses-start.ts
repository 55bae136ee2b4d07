/**
 * Starts the generation behind a Responses API response, within the caller's limits (the same
 * admission as every generation: MAX_ACTIVE_GENERATIONS, the per-user limits, the memory budget).
 * An unstored response is a generation on the whole input; a stored one is a turn of a
 * conversation (conversations/turn.ts: a new conversation, or the question under the previous
 * response's answer), its answer stored under the generation's id, so its response id names it.
 * A background response runs to its end whoever watches; any other is cancelled as soon as its
 * client leaves, as the API does.
 */

import type { HoldBytes } from "../conversations/context-images.ts";
import type { ConversationStore } from "../conversations/store.ts";
import { startTurn, type TurnDeps } from "../conversations/turn.ts";
import { ConversationBusyError, NotFoundError, ValidationError } from "../errors.ts";
import type { Generation } from "../generation/generation.ts";
import type { GenerationDirectory } from "../generation/view.ts";
import type { ResponsesUpstream } from "../settings/model-api.ts";
import type { ResponseRecord } from "../sse/responses-events.ts";
import { newStreamId } from "../stream-id.ts";
import { untilAnswerStored } from "./answer-stored.ts";
import type { GenerationReservation, StartGeneration, StartOptions } from "./chat.ts";
import type { Caller } from "./requester.ts";
import { responseId } from "./response-id.ts";
import type { ResponsePlan, StoredPlan } from "./responses-request.ts";

export interface ResponseStartDeps {
  startGeneration: StartGeneration;
  reserveGeneration: (caller: Caller) => Promise<GenerationReservation>;
  generations: GenerationDirectory;
  /** Absent in tests that need no storage: every response is then unstored. */
  conversations: ConversationStore | undefined;
  /** What a conversation's turn needs besides its store. */
  turn: Omit<TurnDeps, "store">;
  /** The model server's API the calls go through (RESPONSES_UPSTREAM). */
  modelApi: ResponsesUpstream;
}

export interface StartedResponse {
  generation: Generation;
  record: ResponseRecord;
}

function recordOf(plan: ResponsePlan, id: string, model: string): ResponseRecord {
  return {
    id,
    created_at: Math.floor(Date.now() / 1_000),
    model,
    background: plan.background,
    store: plan.stored !== undefined,
    previous_response_id: plan.stored?.previous?.id ?? null,
    ...plan.echo,
  };
}

/** A response nobody may resume is cancelled the moment its client leaves (no grace). */
function startOptions(deps: ResponseStartDeps, plan: ResponsePlan, id: string, record: ResponseRecord): StartOptions {
  return {
    id,
    modelApi: deps.modelApi,
    background: plan.background,
    ...(plan.background ? {} : { cancelGraceMs: 0 }),
    details: JSON.stringify(record),
  };
}

/**
 * Starts the response `plan` describes for `caller`; `holdBytes` counts the stored images a
 * continued conversation sends again (the request's in-flight budget).
 */
export async function startResponse(
  deps: ResponseStartDeps,
  caller: Caller,
  plan: ResponsePlan,
  holdBytes?: HoldBytes,
) {
  const store = deps.conversations;
  if (plan.stored && store) return startStored(deps, { store, caller, plan, stored: plan.stored, holdBytes });
  const streamId = newStreamId();
  const record = recordOf(plan, responseId(streamId), plan.call.model);
  const generation = await deps.startGeneration(plan.call, caller, startOptions(deps, plan, streamId, record));
  return { generation, record };
}

/** The conversation a stored response goes in: the previous response's, or a new one. */
async function conversationFor(deps: ResponseStartDeps, store: ConversationStore, owner: string, stored: StoredPlan) {
  const { previous } = stored;
  if (!previous) return { id: (await store.create(owner)).id, created: true };
  // The answer it names is still being written: the conversation is busy, as for any turn.
  const running = await deps.generations.find(previous.streamId, owner);
  if (running && !running.ended) throw new ConversationBusyError();
  // Named the moment its stream ended: its answer may be a few milliseconds from stored.
  await untilAnswerStored(store, deps.generations, owner, previous.conversationId);
  return { id: previous.conversationId, created: false };
}

interface StoredStart {
  store: ConversationStore;
  caller: Caller;
  plan: ResponsePlan;
  stored: StoredPlan;
  holdBytes: HoldBytes | undefined;
}

async function startStored(deps: ResponseStartDeps, start: StoredStart): Promise<StartedResponse> {
  const { store, caller, plan, stored } = start;
  // Admitted before anything is stored, so a refused response leaves no conversation behind.
  const reservation = await deps.reserveGeneration(caller);
  const owner = caller.user;
  let conversation: { id: string; created: boolean } | undefined;
  try {
    conversation = await conversationFor(deps, store, owner, stored);
    const conversationId = conversation.id;
    if (stored.instructions !== undefined && !(await store.setSystemPrompt(owner, conversationId, stored.instructions)))
      throw new NotFoundError("conversation");
    let record: ResponseRecord | undefined;
    const previous = stored.previous;
    const request = {
      owner,
      conversationId,
      question: stored.question.text,
      images: stored.question.images,
      ...(previous ? { parentId: previous.streamId, replace: true } : {}),
      model: () => plan.call.model,
      answerIdIsStreamId: true,
      holdBytes: start.holdBytes,
    };
    const started = await startTurn({ store, ...deps.turn }, request, {
      start: (streamId, messages, model) => {
        record = recordOf(plan, responseId(streamId, conversationId), model ?? plan.call.model);
        const call = { ...plan.call, model: record.model, messages };
        return reservation.start(call, startOptions(deps, plan, streamId, record));
      },
    });
    return { generation: started.generation, record: record as ResponseRecord };
  } catch (error) {
    if (conversation?.created) await store.delete(owner, conversation.id).catch(() => false);
    // Another user's conversation, a message not in it: to the caller, a response that does not exist.
    if (error instanceof NotFoundError && stored.previous)
      throw new ValidationError("previous_response_id", "is not a stored response of yours");
    throw error;
  } finally {
    reservation.release();
  }
}
