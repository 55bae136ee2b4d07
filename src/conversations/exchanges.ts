/**
 * An exchange as a store is given it: its start (a new question, or a new or continued answer to a
 * stored one) and its end (the answer as far as it got), and a running answer's checkpoints. The
 * rules of where each goes in the tree are exchange-rules.ts's.
 */
import type { AnswerFigures, ToolStep, Usage } from "../contract.ts";
import type { NewDocument } from "./documents.ts";
import type { NewImage } from "./images.ts";
import type { MessageError, MessageStatus } from "./message.ts";

/** What every start of an exchange carries. */
interface ExchangeBase {
  streamId: string;
  /** Becomes the conversation's title if it has none. */
  title: string;
  /** The model the answer is asked of, stored with it. */
  model?: string | undefined;
}

/**
 * A new question. Without `parentId`, after the current leaf (Ask): sending the same text again
 * right after a failed answer (error or interrupted) replaces that answer instead of repeating
 * the question (Retry, retry.ts). With `parentId`, under that message, beside what already
 * follows it (Edit).
 */
export interface AskStart extends ExchangeBase {
  userContent: string;
  /** The question's images, stored with it (none for a retry, which keeps the stored ones). */
  images?: NewImage[];
  /** The question's documents, stored with it (none for a retry, which keeps the stored ones). */
  documents?: NewDocument[];
  /** Edit: the message the question goes under (null: a new first question). */
  parentId?: string | null | undefined;
  /** The id the new question gets (default: a new one). */
  questionId?: string | undefined;
  /** Ask: the current leaf the caller read; 409 `conversation_moved` when it is another now. */
  expectedLeaf?: string | null | undefined;
}

/** Regenerate: a new answer to a stored question, beside its earlier ones. */
export interface AnswerAgainStart extends ExchangeBase {
  answers: string;
}

/** Continue: a new generation whose text is appended to a stored answer. */
export interface ContinueStart extends ExchangeBase {
  continues: string;
}

/** The start of an exchange: the question it stores (if any), and the generation that will answer. */
export type ExchangeStart = AskStart | AnswerAgainStart | ContinueStart;

/** The end of an exchange: the answer as far as it got. */
export interface ExchangeEnd {
  streamId: string;
  content: string;
  /** "interrupted": the server shut down before the answer was complete. */
  status: MessageStatus;
  error?: MessageError;
  /** From the generation's `done` event; absent when it ended with an error. */
  figures?: AnswerFigures;
  /** The answer's tool calls, in order; absent or empty when it called none. */
  toolSteps?: ToolStep[] | undefined;
  /** The question the answer goes under (default: the running one's). */
  parentId?: string | undefined;
  /** Continue: the answer `content` is appended to. */
  continues?: string | undefined;
  model?: string | undefined;
  /** The id the stored answer gets (default: a new one). */
  answerId?: string | undefined;
  /** What the generation cost; absent when it cost nothing (the model refused at once). */
  usage?: Usage | undefined;
}

/** The text of a running answer so far, and its tool steps. */
export interface AnswerCheckpoint {
  conversationId: string;
  streamId: string;
  content: string;
  toolSteps?: ToolStep[] | undefined;
}
