/**
 * Asking the model: a turn goes to the conversation (created first for a new chat), and the server
 * starts the answer. Three ways it can go: started, refused (offline, a limit, a failure), or the
 * conversation moved on elsewhere meanwhile (409 `conversation_moved`, naming its current leaf).
 */
import { ApiError, api, type TurnBody } from "./api.ts";
import { contextNote } from "./context-note.ts";

export type Asked =
  | {
      kind: "started";
      conversationId: string;
      streamId: string;
      streamUrl: string;
      /** What the model was not sent of the context (context-note.ts), to tell the user. */
      note: string | undefined;
      /** The question the answer is written under (a new one's id, or the stored one's). */
      questionId: string | undefined;
      /** The model asked. */
      model: string | undefined;
    }
  /** `created`: the conversation made for this question, which now holds nothing. */
  | { kind: "refused"; error: ApiError; created: string | undefined }
  /** `leafId`: the branch the conversation shows now. */
  | { kind: "moved"; conversationId: string; leafId: string | null };

/** Sends `turn` in `conversationId`; null is a new chat, made by `create` (which returns its id) first. */
export async function ask(
  conversationId: string | null,
  turn: TurnBody,
  create: () => Promise<string>,
): Promise<Asked> {
  let created: string | undefined;
  try {
    if (conversationId === null) created = await create();
    const id = conversationId ?? (created as string);
    const started = await api.startTurn(id, turn);
    return {
      kind: "started",
      conversationId: id,
      streamId: started.streamId,
      streamUrl: started.streamUrl,
      note: contextNote(started.context),
      questionId: started.questionId,
      model: started.model,
    };
  } catch (cause) {
    const error = cause instanceof ApiError ? cause : new ApiError("internal", String(cause), 0, true);
    if (error.code === "conversation_moved" && conversationId) {
      const leaf = error.details.current_leaf_id;
      return { kind: "moved", conversationId, leafId: typeof leaf === "string" ? leaf : null };
    }
    return { kind: "refused", error, created };
  }
}
