/**
 * A conversation as a tree. Every message has a parent (null for a first question); Regenerate
 * and Edit add a sibling beside the message they redo instead of deleting it, so one parent may
 * have several children, kept in the order they were written. The conversation shows one branch,
 * the path from a root to its current leaf. This module answers questions about that shape from
 * the messages' skeleton alone (ids, parents, roles, sizes), the same on every engine, so no store
 * loads a message's text to find a path, a sibling, a branch, or which messages a context can hold.
 */
import type { Role } from "../contract.ts";
import type { MessageStatus } from "./message.ts";

/** A message without its text: what the tree needs of it. */
export interface TreeNode {
  id: string;
  /** The message it follows; null for a first question. */
  parent_id: string | null;
  role: Role;
  status: MessageStatus;
  /** Its text's size in UTF-8 bytes. */
  bytes: number;
}

/** The messages of one conversation, indexed by id and by parent. */
export class MessageTree {
  readonly #nodes = new Map<string, TreeNode>();
  readonly #children = new Map<string | null, TreeNode[]>();

  /** `nodes` in the order they were written (the order siblings are shown in). */
  constructor(nodes: readonly TreeNode[]) {
    for (const node of nodes) this.#nodes.set(node.id, node);
    for (const node of nodes) {
      // A parent that is not a message of this conversation makes its child a root, never an orphan.
      const parent = node.parent_id !== null && this.#nodes.has(node.parent_id) ? node.parent_id : null;
      const siblings = this.#children.get(parent) ?? [];
      siblings.push(node);
      this.#children.set(parent, siblings);
    }
  }

  get size(): number {
    return this.#nodes.size;
  }

  has(id: string): boolean {
    return this.#nodes.has(id);
  }

  node(id: string): TreeNode | undefined {
    return this.#nodes.get(id);
  }

  /** The messages written under `id` (null: the first questions), oldest first. */
  children(id: string | null): readonly TreeNode[] {
    return this.#children.get(id) ?? [];
  }

  /** `id` and the other messages under the same parent, oldest first. */
  siblings(id: string): readonly TreeNode[] {
    return this.children(this.#parentOf(id));
  }

  /** The messages from a root down to `id`, root first; empty for an unknown id. */
  pathTo(id: string): TreeNode[] {
    const path: TreeNode[] = [];
    let node = this.#nodes.get(id);
    // Bounded by the number of messages: a cycle in damaged data ends the walk, not the process.
    while (node && path.length < this.#nodes.size) {
      path.push(node);
      const parent = this.#parentOf(node.id);
      node = parent === null ? undefined : this.#nodes.get(parent);
    }
    return path.reverse();
  }

  /**
   * The leaf reached from `id` (null: from the top) by following the newest child at each step:
   * the branch a switch to `id` shows, as in other chat apps. `id` itself when nothing follows
   * it; null only for an empty conversation.
   */
  newestLeafUnder(id: string | null): string | null {
    let current = id;
    for (let steps = 0; steps <= this.#nodes.size; steps++) {
      const newest = this.children(current).at(-1);
      if (!newest) return current;
      current = newest.id;
    }
    return current;
  }

  /** The leaf a conversation shows: `stored` while it is one of its messages, else the newest leaf. */
  currentLeaf(stored: string | null): string | null {
    return stored !== null && this.#nodes.has(stored) ? stored : this.newestLeafUnder(null);
  }

  /** `id` and every message below it, `id` first. */
  subtree(id: string): string[] {
    if (!this.#nodes.has(id)) return [];
    const found = [id];
    for (let i = 0; i < found.length; i++) for (const child of this.children(found[i] as string)) found.push(child.id);
    return found;
  }

  #parentOf(id: string): string | null {
    const parent = this.#nodes.get(id)?.parent_id ?? null;
    return parent !== null && this.#nodes.has(parent) ? parent : null;
  }
}
