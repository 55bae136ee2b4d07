/**
 * What the page tells the user about the context a question was sent with: older messages left
 * out to fit the model's window, and documents cut to their share of it (the model's copy says so
 * too, conversations/context-documents.ts), so nobody takes an answer about part of a file for
 * one about all of it.
 */
import type { StartedChat } from "./api.ts";

const count = (n: number) => n.toLocaleString();

/** The notice for `context`, or undefined when everything was sent. */
export function contextNote(context: StartedChat["context"]): string | undefined {
  if (!context) return undefined;
  const notes: string[] = [];
  if (context.dropped > 0) notes.push(`${context.dropped} earlier messages were left out to fit the model's window.`);
  for (const document of context.documents ?? []) {
    if (document.sent_characters >= document.characters) continue;
    notes.push(
      `Only the first ${count(document.sent_characters)} of ${count(document.characters)} characters of ${document.name} were sent, to fit the model's window.`,
    );
  }
  return notes.length > 0 ? notes.join(" ") : undefined;
}
