/**
 * Following what the page's other tabs and the user's other devices do: their answers stream here
 * too; their renames and deletions show; the version of a conversation they switch to shows here
 * (told by another tab at once, or noticed when this tab is looked at again).
 */
import type { Chat } from "./chat.ts";
import type { ConversationList } from "./sidebar.ts";
import type { TabNews } from "./tabs.ts";
import type { TitleBar } from "./title-bar.ts";

export interface FollowedParts {
  chat: Chat;
  list: ConversationList;
  titleBar: TitleBar;
  notify(text: string): void;
}

/** Applies `news` from another tab to this one. */
export async function followTab(news: TabNews, { chat, list, titleBar, notify }: FollowedParts): Promise<void> {
  const here = chat.conversationId;
  if (news.type === "branch") {
    if (news.conversationId === here) await chat.followServer();
    return;
  }
  const titles = await list.refresh();
  if (news.type === "deleted" && news.conversationId === here) {
    notify("This conversation was deleted in another tab.");
    location.hash = "";
  } else if (news.type === "answering" && news.conversationId === here) {
    if (chat.streamId !== news.streamId) await chat.open(here);
  } else if (here && titles.has(here) && !chat.busy) {
    titleBar.show(titles.get(here) ?? null, true);
  }
}

/** When this tab is looked at again, it shows the version another device may have switched to meanwhile. */
export function followOtherDevices(chat: Chat): void {
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void chat.followServer();
  });
}
