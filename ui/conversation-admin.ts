/**
 * Renaming and deleting the open conversation, and telling the list and the other tabs.
 */
import { api } from "./api.ts";
import type { Composer } from "./composer.ts";
import type { ConversationList } from "./sidebar.ts";
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
    parts.notify((error as Error).message);
    return undefined;
  }
}

/** Deletes conversation `id`, stopping its running answer first. */
export async function deleteConversation(
  parts: AdminParts,
  id: string,
  runningStream: string | undefined,
): Promise<void> {
  try {
    if (runningStream) await api.stopStream(runningStream).catch(() => {});
    await api.deleteConversation(id);
    parts.tabs.tell({ type: "deleted", conversationId: id });
    parts.notify("Conversation deleted.");
    location.hash = "";
    void parts.list.refresh();
    parts.composer.focus();
  } catch (error) {
    parts.notify((error as Error).message);
  }
}
