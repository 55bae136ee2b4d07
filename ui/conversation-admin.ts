/**
 * Creating, renaming and deleting the open conversation, and telling the list and the other tabs.
 */
import { ApiError, api, type ConversationSummary } from "./api.ts";
import type { Composer } from "./composer.ts";
import { humanError } from "./error-text.ts";
import { type ConversationList, conversationHref } from "./sidebar.ts";
import type { Tabs } from "./tabs.ts";
import type { TitleBar } from "./title-bar.ts";

/** The parts of the page that show a rename or a deletion. */
export interface AdminParts {
  list: ConversationList;
  titleBar: TitleBar;
  composer: Composer;
  tabs: Tabs;
  notify(text: string): void;
}

/** Creates a conversation for the first question of a new chat, and shows it as the open one. */
export async function createConversation(parts: AdminParts): Promise<ConversationSummary> {
  const created = await api.createConversation();
  // replaceState: no hashchange event, so the page does not reload what it is building.
  history.replaceState(null, "", conversationHref(created.id));
  parts.list.setActive(created.id);
  parts.titleBar.show(created.title, true);
  return created;
}

/** Renames conversation `id`; its new title, or undefined when that failed (the page says why). */
export async function renameConversation(
  parts: AdminParts,
  id: string,
  title: string,
): Promise<string | null | undefined> {
  try {
    const renamed = await api.renameConversation(id, title);
    parts.titleBar.show(renamed.title, true);
    parts.tabs.tell({ type: "list-changed" });
    void parts.list.refresh();
    return renamed.title;
  } catch (error) {
    parts.notify(errorText(error));
    return undefined;
  }
}

/**
 * Deletes conversation `id`, stopping its running answer first; when it is the open one
 * (`open`), a new chat takes its place.
 */
export async function deleteConversation(
  parts: AdminParts,
  id: string,
  runningStream: string | undefined,
  open: boolean,
): Promise<void> {
  try {
    if (runningStream) await api.stopStream(runningStream).catch(() => {});
    await api.deleteConversation(id);
    parts.tabs.tell({ type: "deleted", conversationId: id });
    parts.notify("Conversation deleted.");
    if (open) location.hash = "";
    await parts.list.refresh();
    if (open) parts.composer.focus();
  } catch (error) {
    parts.notify(errorText(error));
  }
}

/** A failure of these calls, as the page says it. */
function errorText(error: unknown): string {
  return error instanceof ApiError ? `${humanError(error)} (${error.code})` : String(error);
}
