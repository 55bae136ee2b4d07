/**
 * The documents of one turn: the question's own and those its path carries again
 * (context-documents.ts), shared out within their share of the window and written into the text
 * of the questions they belong to (after their words), before the context is assembled (context.ts), which then
 * counts them as it counts any text.
 */

import type { ContextSettings } from "./context.ts";
import {
  type ContextDocument,
  type DocumentContextSettings,
  documentBudget,
  loadCarriedDocuments,
  planDocuments,
  type SentDocument,
  withDocumentBlocks,
} from "./context-documents.ts";
import type { HoldBytes } from "./context-images.ts";
import type { NewDocument } from "./documents.ts";
import type { ConversationStore, Message } from "./store.ts";
import type { ShapedTurn } from "./turn-thread.ts";

// The key of the new question's own documents: it has no stored id, and no stored id is empty.
const ASKED = "";

/** A turn's questions with their documents written in. */
export interface TurnDocuments<M extends Message> {
  /** The path's messages, each question with its carried documents' blocks after its text. */
  history: M[];
  /** The new question's text with its own documents' blocks after it. */
  asked(text: string): string;
  /** A stored question asked again (Retry, Regenerate, Continue), its stored documents in. */
  textOf(question: Message): string;
  /** The documents sent, given the ids of the stored messages that fit the window. */
  sent(sentIds: readonly string[]): SentDocument[];
}

/** What planning a turn's documents reads. */
export interface TurnDocumentDeps {
  store: ConversationStore;
  context: ContextSettings;
  documents?: DocumentContextSettings | undefined;
}

// Without settings, the question's own documents go with it and no stored one is carried again.
const OWN_ONLY: DocumentContextSettings = { maxDocuments: 0, sharePercent: 50 };

/** Plans the documents of `turn` (`documents`: the new question's own). */
export async function planQuestionDocuments<M extends Message>(
  deps: TurnDocumentDeps,
  request: { owner: string; conversationId: string; holdBytes?: HoldBytes | undefined },
  turn: Pick<ShapedTurn, "again"> & { history: M[] },
  documents: readonly NewDocument[],
): Promise<TurnDocuments<M>> {
  const { history, again } = turn;
  const thread = again ? [...history, again] : history;
  const own = again ? 0 : documents.length;
  const settings = deps.documents ?? OWN_ONLY;
  const budget = documentBudget(deps.context.maxContextTokens, settings.sharePercent);
  const { owner, conversationId } = request;
  const { store } = deps;
  const hold = request.holdBytes;
  const byQuestion = await loadCarriedDocuments(store, owner, conversationId, thread, own, settings, budget, hold);
  if (own > 0) byQuestion.set(ASKED, documents.map(asContextDocument));
  const plan = planDocuments(byQuestion, budget);
  const blocksOf = (id: string) => plan.blocks.get(id) ?? [];
  return {
    history: history.map((message) => {
      const blocks = blocksOf(message.id);
      return blocks.length > 0 ? { ...message, content: withDocumentBlocks(message.content, blocks) } : message;
    }),
    asked: (text) => withDocumentBlocks(text, blocksOf(ASKED)),
    textOf: (question) => withDocumentBlocks(question.content, blocksOf(question.id)),
    sent: (sentIds) => [...sentIds, ...(again ? [again.id] : []), ASKED].flatMap((id) => plan.sent.get(id) ?? []),
  };
}

const asContextDocument = ({ id, name, text }: NewDocument): ContextDocument => ({
  id,
  name,
  characters: text.length,
  text,
});
