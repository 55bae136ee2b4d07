/**
 * Building a share's snapshot and a viewer's copy of it, the same on both engines: the snapshot
 * from the store's own reads (the tree, the branch's messages, their images), the copy as the
 * rows a store writes ("continue in my chats": a conversation of the viewer's, one branch).
 */
import { ConversationMovedError } from "../errors.ts";
import { newStreamId } from "../stream-id.ts";
import { type ConversationRow, newConversationRow } from "./conversation-rows.ts";
import type { NewImage, StoredImage } from "./images.ts";
import { type NewMessageRow, newMessageRow } from "./message-rows.ts";
import { QuotaExceededError } from "./quotas.ts";
import type {
  NewShare,
  QuotaRoom,
  SharedConversation,
  SharedImage,
  SharedMessage,
  ShareRow,
  ShareSummary,
} from "./shares.ts";
import type { ConversationTree, StoredMessage } from "./store.ts";
import { MessageTree } from "./tree.ts";

/** What building a snapshot reads of a store. */
export interface ShareSource {
  tree(owner: string, id: string): Promise<ConversationTree | undefined>;
  messages(owner: string, id: string, ids: string[]): Promise<StoredMessage[]>;
  imagesOf(owner: string, conversationId: string, messageIds: string[]): Promise<StoredImage[]>;
}

const encoder = new TextEncoder();

/** A new share's id: 128 random bits, as unguessable as a stream id. */
export const newShareId = newStreamId;

/**
 * The snapshot of `owner`'s conversation `conversationId` as it is now: the branch it shows (a
 * running answer's question included, the answer not yet), with copies of its images. Undefined
 * when there is no such conversation; 409 when a message of the branch went meanwhile; 413 when
 * it does not fit `room`.
 */
export async function buildShare(
  source: ShareSource,
  owner: string,
  conversationId: string,
  room?: QuotaRoom,
): Promise<NewShare | undefined> {
  const found = await source.tree(owner, conversationId);
  if (!found) return undefined;
  const tree = new MessageTree(found.nodes);
  const leaf = tree.currentLeaf(found.conversation.current_leaf_id);
  const ids = leaf === null ? [] : tree.pathTo(leaf).map((node) => node.id);
  const stored = await source.messages(owner, conversationId, ids);
  if (stored.length !== ids.length) throw new ConversationMovedError(leaf);
  const withImages = stored.filter((message) => (message.images?.length ?? 0) > 0).map((message) => message.id);
  const originals = withImages.length > 0 ? await source.imagesOf(owner, conversationId, withImages) : [];
  const copies = new Map(originals.map((image) => [image.id, { ...image, id: newShareId() }]));
  const messages = JSON.stringify(stored.map((message) => sharedMessage(message, copies)));
  const images = [...copies.values()].map(({ id, media_type, data }) => ({ id, media_type, data }));
  const { title } = found.conversation;
  const bytes = encoder.encode(messages).byteLength + encoder.encode(title ?? "").byteLength + imageBytes(images);
  if (room && room.used + bytes > room.limit) throw new QuotaExceededError("stored_bytes", room.limit, room.used);
  return {
    id: newShareId(),
    conversation_id: conversationId,
    title,
    created_at: Date.now(),
    message_count: stored.length,
    bytes,
    messages,
    images,
  };
}

/**
 * A stored message as a snapshot keeps it: no ids, its images under their copies' ids, and none of
 * its tool calls (their arguments and results hold what the owner's tools read).
 */
function sharedMessage(message: StoredMessage, copies: Map<string, { id: string }>): SharedMessage {
  const { role, content, status, created_at, error, figures, model, images } = message;
  const shared: SharedMessage = { role, content, status, created_at };
  if (error) shared.error = error;
  if (figures) shared.figures = figures;
  if (model) shared.model = model;
  if (images?.length) shared.images = images.map((image) => ({ ...image, id: copies.get(image.id)?.id ?? "" }));
  return shared;
}

const imageBytes = (images: readonly { data: Uint8Array }[]) =>
  images.reduce((sum, image) => sum + image.data.byteLength, 0);

/** A share row as its link shows it. */
export function toSharedConversation(row: ShareRow): SharedConversation {
  return {
    id: row.id,
    title: row.title,
    created_at: new Date(row.created_at).toISOString(),
    messages: JSON.parse(row.messages) as SharedMessage[],
  };
}

/** A share row as its owner lists it. */
export function toShareSummary(row: Omit<ShareRow, "messages" | "owner" | "bytes">): ShareSummary {
  return {
    id: row.id,
    conversation_id: row.conversation_id,
    title: row.title,
    created_at: new Date(row.created_at).toISOString(),
    message_count: row.message_count,
    url: `/s/${row.id}`,
  };
}

/** What a viewer's copy writes: a conversation of theirs, the snapshot's messages as one branch, their images. */
export interface ShareCopy {
  conversation: ConversationRow;
  messages: NewMessageRow[];
  /** The images of each message, by the new message's id. */
  images: Map<string, NewImage[]>;
  /** The copy's bytes, for the viewer's quota. */
  bytes: number;
}

/** The rows of a viewer's copy of `share` (its images given); 413 when it does not fit `room`. */
export function copyOfShare(share: ShareRow, images: readonly SharedImage[], room?: QuotaRoom): ShareCopy {
  if (room && room.used + share.bytes > room.limit) throw new QuotaExceededError("stored_bytes", room.limit, room.used);
  const conversation = newConversationRow(share.title);
  const byId = new Map(images.map((image) => [image.id, image]));
  const rows: NewMessageRow[] = [];
  const copies = new Map<string, NewImage[]>();
  let parent: string | null = null;
  for (const message of JSON.parse(share.messages) as SharedMessage[]) {
    const { role, content, status, error, figures, model } = message;
    const row = newMessageRow(conversation.id, { parent_id: parent, role, content, status, error, figures, model });
    rows.push(row);
    const own = (message.images ?? []).flatMap((ref) => byId.get(ref.id) ?? []);
    if (own.length > 0)
      copies.set(
        row.id,
        own.map((image) => ({ ...image, id: crypto.randomUUID() })),
      );
    parent = row.id;
  }
  conversation.current_leaf_id = parent;
  return { conversation, messages: rows, images: copies, bytes: share.bytes };
}
