/**
 * How documents reach the model: each as a block of text after its question's own words (which
 * keep the start of the message, where model servers and the simulator read a leading command
 * such as `/sim`), within
 * one share of the window (CONTEXT_DOCUMENT_SHARE percent of MAX_CONTEXT_TOKENS, at ~4 characters
 * a token) for all the documents of a context together. Small ones go whole and large ones split
 * what is left equally; a document larger than its share is cut, and its block says how much of
 * it was sent, so neither the model nor the user takes a part for the whole. Later turns send
 * them again by the images' rule (context-images.ts): the newest questions' first, a question's
 * all or none, at most CONTEXT_MAX_DOCUMENTS.
 */
import { type HoldBytes, questionsToCarry } from "./context-images.ts";
import type { NewDocument, StoredDocument } from "./documents.ts";
import type { ConversationStore, Message } from "./store.ts";

export interface DocumentContextSettings {
  /** Documents a context carries, the question's own first (CONTEXT_MAX_DOCUMENTS). */
  maxDocuments: number;
  /** The percent of the window all of a context's documents may take together (CONTEXT_DOCUMENT_SHARE). */
  sharePercent: number;
}

/** What a context needs of a document: its name, its whole length, and its text (or the start of it). */
export type ContextDocument = Pick<StoredDocument, "id" | "name" | "characters" | "text">;

/** How much of one document a context sends. */
export interface SentDocument {
  id: string;
  name: string;
  characters: number;
  /** Less than `characters` when it was cut to its share. */
  sent_characters: number;
}

/** The characters every document of a context may take together: their share of the window. */
export function documentBudget(maxContextTokens: number, sharePercent: number): number {
  return Math.floor((maxContextTokens * sharePercent) / 100) * 4;
}

/** Each length's share of `budget`: the shortest first, each at most an equal part of what is left. */
export function shareOut(lengths: readonly number[], budget: number): number[] {
  const shares = new Array<number>(lengths.length).fill(0);
  const order = lengths.map((_, index) => index).sort((a, b) => (lengths[a] as number) - (lengths[b] as number));
  let left = budget;
  order.forEach((index, rank) => {
    const share = Math.min(lengths[index] as number, Math.floor(left / (order.length - rank)));
    shares[index] = share;
    left -= share;
  });
  return shares;
}

const count = (n: number) => n.toLocaleString("en-US");
const attribute = (value: string) =>
  value.replace(/[&"<>]/g, (c) => ({ "&": "&amp;", '"': "&quot;", "<": "&lt;", ">": "&gt;" })[c] as string);

/** The first `length` UTF-16 units of `text`, one less rather than half a surrogate pair. */
function cut(text: string, length: number): string {
  if (length >= text.length) return text;
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}

/**
 * One document as the model reads it, `sent` characters of it. Its text is the user's file, not
 * Sluice's words: a closing tag inside it is broken up so it cannot end the block early.
 */
export function documentBlock(document: ContextDocument, sent: number): string {
  const text = cut(document.text, sent).replace(/<\/document/gi, "<\\/document");
  const note =
    sent < document.characters
      ? `\n[Cut to fit the context: the first ${count(sent)} of ${count(document.characters)} characters of this document were sent.]`
      : "";
  return `<document name="${attribute(document.name)}" characters="${document.characters}">\n${text}${note}\n</document>`;
}

/** A question's text with its documents' blocks after it. */
export function withDocumentBlocks(text: string, blocks: readonly string[]): string {
  if (blocks.length === 0) return text;
  return text ? `${text}\n\n${blocks.join("\n\n")}` : blocks.join("\n\n");
}

/** What a context sends of its documents, by question id (the asked question's own under `askedId`). */
export interface DocumentPlan {
  /** Each question's blocks, to go after its text. */
  blocks: Map<string, string[]>;
  /** Every document the context holds, and how much of it. */
  sent: Map<string, SentDocument[]>;
}

/** Shares `budget` among every document of `byQuestion` and writes their blocks. */
export function planDocuments(
  byQuestion: ReadonlyMap<string, readonly ContextDocument[]>,
  budget: number,
): DocumentPlan {
  const all = [...byQuestion.values()].flat();
  const shares = shareOut(
    all.map((document) => document.characters),
    budget,
  );
  const plan: DocumentPlan = { blocks: new Map(), sent: new Map() };
  let at = 0;
  for (const [questionId, documents] of byQuestion) {
    const sent = documents.map((document) => ({ document, share: shares[at++] as number }));
    plan.blocks.set(
      questionId,
      sent.map(({ document, share }) => documentBlock(document, share)),
    );
    plan.sent.set(
      questionId,
      sent.map(({ document: { id, name, characters }, share }) => ({ id, name, characters, sent_characters: share })),
    );
  }
  return plan;
}

/**
 * The stored documents the context carries, by question id, each read no further than `budget`
 * characters (no document gets more): the newest questions' first, after `sent` of the question's own.
 * `hold` is told what that reads, at most, before it is read (the in-flight budget; it may refuse).
 */
export async function loadCarriedDocuments(
  store: ConversationStore,
  owner: string,
  conversationId: string,
  thread: readonly Message[],
  sent: number,
  settings: DocumentContextSettings,
  budget: number,
  hold?: HoldBytes,
): Promise<Map<string, ContextDocument[]>> {
  const carried = questionsToCarry(thread, (question) => question.documents?.length ?? 0, sent, settings.maxDocuments);
  const byQuestion = new Map<string, ContextDocument[]>();
  if (carried.length === 0 || budget <= 0) return byQuestion;
  const chosen = new Set(carried);
  hold?.(
    textBytes(
      thread.filter((question) => chosen.has(question.id)),
      budget,
    ),
  );
  for (const document of await store.documentsOf(owner, conversationId, carried, budget))
    byQuestion.set(document.message_id, [...(byQuestion.get(document.message_id) ?? []), document]);
  return byQuestion;
}

/**
 * What reading `questions`' documents, each up to `maxChars`, holds: counted as a stored image's
 * bytes are (the caller weighs them), a character a byte, as text of Latin script is stored and held.
 */
function textBytes(questions: readonly Message[], maxChars: number): number {
  let characters = 0;
  for (const question of questions)
    for (const document of question.documents ?? []) characters += Math.min(document.characters, maxChars);
  return characters;
}

// Read whole when a question's documents are kept by its Edit: a bound no text reaches.
const WHOLE = 2_147_483_647;

/**
 * The documents of a question being replaced (Edit of its text), under new ids: the new question
 * keeps them, since replacing it deletes the old one with its documents.
 */
export async function documentsOfReplaced(
  store: ConversationStore,
  owner: string,
  conversationId: string,
  replaced: Message | undefined,
  hold?: HoldBytes,
): Promise<NewDocument[]> {
  if (replaced?.role !== "user" || !replaced.documents?.length) return [];
  hold?.(textBytes([replaced], WHOLE));
  const documents = await store.documentsOf(owner, conversationId, [replaced.id], WHOLE);
  return documents.map(({ name, media_type, size, pages, text }) => ({
    id: crypto.randomUUID(),
    name,
    media_type,
    size,
    pages,
    text,
  }));
}
