/**
 * Asking the model: the question goes to the conversation (created first for a new chat), and the
 * server starts the answer. Three ways it can go: started, refused (offline, a limit, a failure),
 * or the conversation moved on elsewhere meanwhile.
 */
import { ApiError, api, type Message } from "./api.ts";
import { contextNote } from "./context-note.ts";

export interface Question {
  /** The conversation; null for a new chat, created by `create` first. */
  conversationId: string | null;
  text: string;
  images: readonly string[];
  /** The last message the page saw (null: none; undefined: no check). */
  parentId: string | null | undefined;
  /** Replaces every turn after `parentId` (Regenerate, Edit). */
  replace: boolean;
  model: string | undefined;
}

/** A question on its way, as the page keeps it: its text and images, and what the thread held before it. */
export interface Asking {
  text: string;
  images: string[];
  earlier: Message[];
  replace: boolean;
  /** From the message box (it goes back there if refused), not Retry or Regenerate. */
  typed: boolean;
}

export type Asked =
  /** `note`: what the model was not sent of the context (context-note.ts), to tell the user. */
  | { kind: "started"; conversationId: string; streamId: string; streamUrl: string; note: string | undefined }
  /** `created`: the conversation made for this question, which now holds nothing. */
  | { kind: "refused"; error: ApiError; created: string | undefined }
  | { kind: "moved"; conversationId: string };

/** Sends `question`; `create` makes the conversation of a new chat and returns its id. */
export async function ask(question: Question, create: () => Promise<string>): Promise<Asked> {
  let created: string | undefined;
  try {
    if (question.conversationId === null) created = await create();
    const id = question.conversationId ?? (created as string);
    const { text, parentId, replace, model, images } = question;
    const started = await api.startChat(id, text, parentId, replace, model, images);
    const note = contextNote(started.context);
    return { kind: "started", conversationId: id, streamId: started.streamId, streamUrl: started.streamUrl, note };
  } catch (cause) {
    const error = cause instanceof ApiError ? cause : new ApiError("internal", String(cause), 0, true);
    if (error.code === "conversation_moved" && question.conversationId)
      return { kind: "moved", conversationId: question.conversationId };
    return { kind: "refused", error, created };
  }
}
