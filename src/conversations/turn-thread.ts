/**
 * Where a turn goes in a stored conversation's tree, decided from its skeleton and the messages of
 * the path it reads (turn.ts does the reading and writing around it). Nothing is deleted but the
 * failed answer a Retry replaces:
 * - **Ask**: a question after the current leaf, which must be the last message the client saw.
 * - **Retry** (retry.ts): the same question again right after its failed answer, in its place.
 * - **Edit** (`replace` with another question): a new question under `parentId`, beside the one
 *   it redoes, and its answer.
 * - **Regenerate** (`regenerate`, or `replace` asking the same question again): a new answer to a
 *   stored question, beside its earlier answers.
 * - **Continue** (`continue`): more text for a cut-off answer, appended to it.
 * A client acting on a view that has moved on elsewhere (another device, a second tab) gets 409
 * `conversation_moved` with the current leaf, so it reloads instead of answering the wrong thread.
 * A message id that is not the conversation's is a 404, whoever's it is.
 */
import { ConversationMovedError, ValidationError } from "../errors.ts";
import { refuseUnlessContinuable } from "./continuation.ts";
import { retriesExchange } from "./retry.ts";
import { type Message, MessageNotFoundError, type StoredMessage } from "./store.ts";
import type { MessageTree } from "./tree.ts";

/** What a client asks of a conversation, as the turn reads it. */
export interface TurnPosition {
  /** Ask: the last message the client has seen (null: none). With `replace`: the message to answer after. */
  parentId?: string | null | undefined;
  /** Edit (a new question under `parentId`), or Regenerate when the question is the same as before. */
  replace?: boolean | undefined;
  /** Regenerate: the stored question to answer again. */
  regenerate?: string | undefined;
  /** Continue: the stored answer to extend. */
  continues?: string | undefined;
}

/** The turn's kind and the ids it involves, known from the skeleton alone. */
export type TurnPlace =
  | { kind: "ask"; leaf: string | null }
  /** `redone`: the question after `parentId` on the current branch, which an Edit stands beside. */
  | { kind: "replace"; parentId: string | null; redone: string | undefined }
  | { kind: "regenerate"; question: string }
  | { kind: "continue"; answer: string };

/** Where the turn goes, and the messages (root first) whose text it reads. */
export function placeTurn(
  tree: MessageTree,
  currentLeaf: string | null,
  position: TurnPosition,
): { place: TurnPlace; read: string[] } {
  const pathIds = (id: string | null) => (id === null ? [] : tree.pathTo(id).map((node) => node.id));
  const { parentId, regenerate, continues } = position;
  if (continues !== undefined) {
    if (tree.node(continues)?.role !== "assistant") throw missingOr(tree, continues, "continue", "an answer");
    if (tree.children(continues).length > 0) throw new ConversationMovedError(currentLeaf);
    return { place: { kind: "continue", answer: continues }, read: pathIds(continues) };
  }
  if (regenerate !== undefined) {
    if (tree.node(regenerate)?.role !== "user") throw missingOr(tree, regenerate, "regenerate", "a question");
    return { place: { kind: "regenerate", question: regenerate }, read: pathIds(regenerate) };
  }
  if (!position.replace) return { place: { kind: "ask", leaf: currentLeaf }, read: pathIds(currentLeaf) };
  if (parentId === undefined) throw new ValidationError("parentId", "is required to replace later messages");
  if (parentId !== null && !tree.has(parentId)) throw new MessageNotFoundError(parentId);
  const current = pathIds(currentLeaf);
  const at = parentId === null ? -1 : current.indexOf(parentId);
  const redone = at < 0 && parentId !== null ? undefined : current[at + 1];
  const read = [...pathIds(parentId), ...(redone ? [redone] : [])];
  return { place: { kind: "replace", parentId, redone }, read };
}

function missingOr(tree: MessageTree, id: string, field: string, what: string) {
  return tree.has(id) ? new ValidationError(field, `must be ${what}`) : new MessageNotFoundError(id);
}

/** The question's place once its attachments (images, documents) are known. */
export interface QuestionPlace<M extends Message> {
  /** The stored turns the model reads before the question, oldest first. */
  history: M[];
  /** For a retry: the stored question asked again, which keeps its attachments. */
  retried: M | undefined;
}

/** Where `question` (sent with attachments or not) goes after `thread`: a retry leaves out the exchange it replaces. */
export function placeQuestion<M extends Message>(
  thread: M[],
  question: string,
  withAttachments: boolean,
): QuestionPlace<M> {
  const [asked, answer] = thread.slice(-2);
  if (!retriesExchange(asked, answer, question, withAttachments)) return { history: thread, retried: undefined };
  return { history: thread.slice(0, -2), retried: asked };
}

/**
 * The id of the message a client must have seen last to ask `question` now: the thread's last
 * message, or, for a retry, the one before the failed exchange. Null for an empty thread.
 */
export function expectedParent(stored: Message[], question: string, withAttachments = false): string | null {
  return placeQuestion(stored, question, withAttachments).history.at(-1)?.id ?? null;
}

/** Whether a `replace` re-asks the question it redoes (Regenerate) rather than asking a new one (Edit). */
export function reasks(redone: StoredMessage | undefined, question: string, withAttachments: boolean): boolean {
  return redone?.role === "user" && redone.content === question && !withAttachments;
}

/** A turn once the messages of its path are read: what the model reads, and what the store is told. */
export interface ShapedTurn {
  kind: "ask" | "edit" | "regenerate" | "continue";
  /** The stored turns the model reads before the question, root first. */
  history: StoredMessage[];
  /** Retry, Regenerate, Continue: the stored question asked again, whose stored attachments go again. */
  again: StoredMessage | undefined;
  /** Continue: the answer extended. */
  continued?: StoredMessage;
  /** Edit without attachments of its own: the question it redoes, whose attachments the new one keeps. */
  redone?: StoredMessage | undefined;
  /** The question the answer goes under: a new one's id (made here), or the stored one's. */
  questionId: string;
  /** What the store is told (store.ts's ExchangeStart): a new question's id and where it goes, or the message answered or continued. */
  placement: TurnPlacement;
}

export type TurnPlacement =
  | { expectedLeaf: string | null; questionId?: string }
  | { parentId: string | null; questionId: string }
  | { answers: string }
  | { continues: string };

/**
 * The turn at `place`, from its path's messages `rows` (root first): Ask refuses a stale view,
 * Retry asks its failed exchange's question again, a `replace` of the same question is a
 * Regenerate, Continue needs a cut-off answer.
 */
export function shapeTurn(
  place: TurnPlace,
  rows: StoredMessage[],
  request: TurnPosition & { question: string; withAttachments: boolean },
): ShapedTurn {
  const { question, withAttachments } = request;
  if (place.kind === "ask") {
    if (request.parentId !== undefined && request.parentId !== expectedParent(rows, question, withAttachments))
      throw new ConversationMovedError(place.leaf);
    const { history, retried } = placeQuestion(rows, question, withAttachments);
    if (retried)
      return { kind: "ask", history, again: retried, questionId: retried.id, placement: { expectedLeaf: place.leaf } };
    const questionId = crypto.randomUUID();
    return { kind: "ask", history, again: undefined, questionId, placement: { expectedLeaf: place.leaf, questionId } };
  }
  if (place.kind === "replace") {
    const redone = place.redone ? rows.at(-1) : undefined;
    const history = place.redone ? rows.slice(0, -1) : rows;
    if (redone && reasks(redone, question, withAttachments)) return regenerated(history, redone);
    const questionId = crypto.randomUUID();
    const placement = { parentId: place.parentId, questionId };
    return { kind: "edit", history, again: undefined, redone, questionId, placement };
  }
  const last = rows.at(-1) as StoredMessage;
  if (place.kind === "regenerate") return regenerated(rows.slice(0, -1), last);
  refuseUnlessContinuable(last, last.figures?.finish_reason);
  const asked = rows.at(-2);
  if (!asked) throw new ValidationError("continue", "must be an answer to a question");
  return {
    kind: "continue",
    history: rows.slice(0, -2),
    again: asked,
    continued: last,
    questionId: asked.id,
    placement: { continues: last.id },
  };
}

function regenerated(history: StoredMessage[], question: StoredMessage): ShapedTurn {
  return { kind: "regenerate", history, again: question, questionId: question.id, placement: { answers: question.id } };
}
