/**
 * The page of a share link (`/s/<id>`): the snapshot the link names, read-only, rendered as the
 * chat renders answers (Markdown, sanitized, under the same CSP). It reads nothing but the
 * snapshot and its images; a signed-in viewer may copy it into their own chats and go on there.
 */
import type { SharedConversation } from "../src/conversations/shares.ts";
import { byId } from "./dom.ts";
import { type ShownImage, storedMessage } from "./message-view.ts";

/** The link's id, from the address `/s/<id>`. */
const shareId = decodeURIComponent(location.pathname.replace(/^\/s\//, ""));
const base = `/api/shared/${encodeURIComponent(shareId)}`;

function say(text: string): void {
  byId("shared-status").textContent = text;
}

/** What the page says when the snapshot cannot be shown. */
function refusal(status: number): string {
  if (status === 401) return "Sign in to see this conversation, then open the link again.";
  if (status === 404) return "This link does not exist, or its owner has revoked it.";
  return `The server answered ${status}; try again later.`;
}

function render(shared: SharedConversation & { can_copy?: boolean }): void {
  const title = shared.title ?? "Shared conversation";
  byId("shared-title").textContent = title;
  document.title = `${title} · Sluice`;
  say(`Shared ${new Date(shared.created_at).toLocaleString()}`);
  const thread = byId("thread");
  shared.messages.forEach((message, index) => {
    const images: ShownImage[] = (message.images ?? []).map((image) => ({
      src: `${base}/images/${encodeURIComponent(image.id)}`,
    }));
    thread.append(storedMessage({ ...message, id: `shared-${index}` }, images));
  });
  byId("shared-actions").hidden = shared.can_copy !== true;
}

/** Copies the snapshot into the viewer's own chats and opens the copy. */
async function copyToMine(): Promise<void> {
  const button = byId<HTMLButtonElement>("copy-to-mine");
  button.disabled = true;
  const response = await fetch(`${base}/copy`, { method: "POST" }).catch(() => undefined);
  const copy = response?.ok ? ((await response.json()) as { id: string }) : undefined;
  if (copy) {
    location.assign(`/#/c/${encodeURIComponent(copy.id)}`);
    return;
  }
  const body = (await response?.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  say(body?.error?.message ?? "The copy could not be made; try again.");
  button.disabled = false;
}

async function show(): Promise<void> {
  const response = await fetch(base, { headers: { accept: "application/json" } }).catch(() => undefined);
  if (!response) return say("Cannot reach the server. Check the connection.");
  if (!response.ok) return say(refusal(response.status));
  render((await response.json()) as SharedConversation & { can_copy?: boolean });
}

byId("copy-to-mine").addEventListener("click", () => void copyToMine());
void show();
