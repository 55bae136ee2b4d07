/** Following what the page's other tabs do: their answers stream here too; their renames and deletions show. */
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
  const titles = await list.refresh();
  const here = chat.conversationId;
  if (news.type === "deleted" && news.conversationId === here) {
    notify("This conversation was deleted in another tab.");
    location.hash = "";
  } else if (news.type === "answering" && news.conversationId === here) {
    if (chat.streamId !== news.streamId) await chat.open(here);
  } else if (here && titles.has(here) && !chat.busy) {
    titleBar.show(titles.get(here) ?? null, true);
  }
}
