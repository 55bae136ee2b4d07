/**
 * News between this page's tabs (BroadcastChannel, same origin only): a tab that starts an answer
 * tells the others, so a second tab on the same conversation shows it streaming too; one that
 * shows another version of a conversation tells them, so they show it too.
 */

export type TabNews =
  | { type: "answering"; conversationId: string; streamId: string }
  | { type: "answered"; conversationId: string }
  /** The conversation shows the branch down to `leafId` now. */
  | { type: "branch"; conversationId: string; leafId: string | null }
  | { type: "list-changed" }
  | { type: "deleted"; conversationId: string };

export interface Tabs {
  tell(news: TabNews): void;
}

/** Joins the page's channel; `hear` receives what other tabs tell. */
export function joinTabs(hear: (news: TabNews) => void): Tabs {
  if (typeof BroadcastChannel === "undefined") return { tell: () => {} };
  const channel = new BroadcastChannel("sluice");
  channel.addEventListener("message", (event: MessageEvent<TabNews>) => hear(event.data));
  return { tell: (news) => channel.postMessage(news) };
}
