/**
 * Share links: a read-only snapshot of a conversation's branch as it is when the link is made
 * (its messages, and copies of their images), reachable by an unguessable id (128 random bits)
 * until its owner revokes it or deletes the conversation. The snapshot holds nothing else of the
 * owner's: not their name, not the conversation's id, not its other branches, not the ids of
 * their messages or images. These are its shapes and the store calls that keep it;
 * share-snapshot.ts builds and copies it.
 */
import type { AnswerFigures } from "../contract.ts";
import type { ConversationSummary } from "./conversation-list.ts";
import type { ImageMediaType, ImageRef, NewImage } from "./images.ts";
import type { MessageError, MessageStatus, Role } from "./message.ts";

/** One message of a snapshot, as every viewer sees it. */
export interface SharedMessage {
  role: Role;
  content: string;
  status: MessageStatus;
  /** ISO 8601. */
  created_at: string;
  error?: MessageError;
  figures?: AnswerFigures;
  model?: string;
  /** Served at `/api/shared/:id/images/:imageId`: the snapshot's own copies, with their own ids. */
  images?: ImageRef[];
}

/** A shared conversation as its link shows it. */
export interface SharedConversation {
  id: string;
  title: string | null;
  /** When the link was made: the moment the snapshot shows. */
  created_at: string;
  messages: SharedMessage[];
}

/** A link as its owner lists it. */
export interface ShareSummary {
  id: string;
  conversation_id: string;
  title: string | null;
  created_at: string;
  message_count: number;
  /** The page that shows it, on this server. */
  url: string;
}

/** A share row as the stores read it (without its images). */
export interface ShareRow {
  id: string;
  owner: string;
  conversation_id: string;
  title: string | null;
  created_at: number;
  message_count: number;
  /** The snapshot's UTF-8 bytes with its images': counted against its owner's QUOTA_USER_BYTES. */
  bytes: number;
  /** The snapshot's messages, as JSON. */
  messages: string;
}

/** A share as the stores write it: its row for its owner, and copies of its images. */
export interface NewShare extends Omit<ShareRow, "owner"> {
  images: NewImage[];
}

/** An image of a snapshot, with its bytes. */
export interface SharedImage {
  id: string;
  media_type: ImageMediaType;
  data: Uint8Array;
}

/** The room a user's QUOTA_USER_BYTES leaves, checked by a store once it knows what it will write. */
export interface QuotaRoom {
  limit: number;
  used: number;
}

/** The share links a conversation store keeps (sqlite-shares.ts, postgres-shares.ts). */
export interface ShareLinkStore {
  /**
   * A share link to `owner`'s conversation: a snapshot of the branch it shows now.
   * Undefined when there is no such conversation; 413 `quota_exceeded` when it does not fit `room`.
   */
  createShare(owner: string, conversationId: string, room?: QuotaRoom): Promise<ShareSummary | undefined>;
  /** `owner`'s share links, newest first (of one conversation, when given). */
  listShares(owner: string, conversationId?: string): Promise<ShareSummary[]>;
  /** Deletes `owner`'s share link `id`; false when they have no such link. */
  revokeShare(owner: string, id: string): Promise<boolean>;
  /** The snapshot of link `id`, for whoever holds the link; undefined once revoked. */
  sharedConversation(id: string): Promise<SharedConversation | undefined>;
  /** One image of link `id`'s snapshot; undefined for any other id. */
  sharedImage(id: string, imageId: string): Promise<SharedImage | undefined>;
  /**
   * A copy of link `id`'s snapshot as a new conversation of `owner`'s (one branch, its images
   * copied). Undefined when there is no such link; 413 `quota_exceeded` when it does not fit `room`.
   */
  copyShare(owner: string, id: string, room?: QuotaRoom): Promise<ConversationSummary | undefined>;
}
