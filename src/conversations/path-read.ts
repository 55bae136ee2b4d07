/**
 * A conversation's read: one path through its tree (the current branch, or another one asked
 * for), each message with its siblings, and only as much of the path as asked. A long path is read
 * newest first, by count and by bytes of text, older parts by cursor (`before`: the oldest message
 * already read); a message larger than the whole byte budget alone is cut to it and marked with
 * its full size, to be read whole on its own. The skeleton decides the window, so only the text of
 * the messages served is ever loaded, and each of them once. Both engines read through here.
 */
import {
  type Conversation,
  type ConversationTree,
  MessageNotFoundError,
  type PathMessage,
  type PathRead,
  type StoredMessage,
} from "./store.ts";
import { MessageTree, type TreeNode } from "./tree.ts";

/** What a read needs of a store: the skeleton, then the messages it chose. */
export interface PathSource {
  tree(owner: string, id: string): Promise<ConversationTree | undefined>;
  messages(owner: string, id: string, ids: string[]): Promise<StoredMessage[]>;
}

/** `owner`'s conversation `id` with the path (window) `read` asks for; undefined when there is no such conversation. */
export async function readConversation(
  source: PathSource,
  owner: string,
  id: string,
  read: PathRead = {},
): Promise<Conversation | undefined> {
  const found = await source.tree(owner, id);
  if (!found) return undefined;
  const tree = new MessageTree(found.nodes);
  const current = tree.currentLeaf(found.conversation.current_leaf_id);
  const { path, end } = pathToRead(tree, current, read);
  const start = windowStart(path, end, read);
  const shown = path.slice(start, end);
  const loaded = await source.messages(
    owner,
    id,
    shown.map((node) => node.id),
  );
  return {
    ...found.conversation,
    current_leaf_id: current,
    messages: loaded.map((message) => onPath(tree, cutToFit(message, read.maxBytes))),
    leaf_id: path.at(-1)?.id ?? null,
    path_length: path.length,
    next_cursor: start > 0 ? (path[start]?.id ?? null) : null,
  };
}

/** The whole path the read is about, and where the part served ends (exclusive). */
function pathToRead(tree: MessageTree, current: string | null, read: PathRead): { path: TreeNode[]; end: number } {
  for (const id of [read.leaf, read.before]) if (id !== undefined && !tree.has(id)) throw new MessageNotFoundError(id);
  // The current leaf is served as stored: while a new answer to a question runs, it is that question.
  const leaf = read.leaf === undefined ? current : tree.newestLeafUnder(read.leaf);
  let path = leaf === null ? [] : tree.pathTo(leaf);
  if (read.before === undefined) return { path, end: path.length };
  let end = path.findIndex((node) => node.id === read.before);
  if (end < 0) {
    // A cursor from another branch: the path through it.
    path = tree.pathTo(tree.newestLeafUnder(read.before) as string);
    end = path.findIndex((node) => node.id === read.before);
  }
  return { path, end };
}

/** Where the window ending at `end` starts: the newest messages within the count and the bytes, at least one. */
function windowStart(path: readonly TreeNode[], end: number, read: PathRead): number {
  const limit = read.limit ?? Number.POSITIVE_INFINITY;
  const maxBytes = read.maxBytes ?? Number.POSITIVE_INFINITY;
  let start = end;
  let bytes = 0;
  while (start > 0 && end - start < limit) {
    const size = (path[start - 1] as TreeNode).bytes;
    if (start < end && bytes + size > maxBytes) break;
    bytes += size;
    start--;
  }
  return start;
}

const encoder = new TextEncoder();

/** `message` with its text cut to `maxBytes` of UTF-8 (never inside a character) when longer. */
function cutToFit(message: StoredMessage, maxBytes: number | undefined): StoredMessage & { full_bytes?: number } {
  if (maxBytes === undefined || message.content.length <= maxBytes / 4) return message;
  const full = Buffer.byteLength(message.content);
  if (full <= maxBytes) return message;
  const { read } = encoder.encodeInto(message.content, new Uint8Array(maxBytes));
  return { ...message, content: message.content.slice(0, read), full_bytes: full };
}

/** A message with its place among its siblings. */
function onPath(tree: MessageTree, message: StoredMessage & { full_bytes?: number }): PathMessage {
  const siblings = tree.siblings(message.id).map((node) => node.id);
  return {
    ...message,
    sibling_ids: siblings,
    sibling_position: siblings.indexOf(message.id) + 1,
    sibling_count: siblings.length,
  };
}
