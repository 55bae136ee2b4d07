/** Messages on the page, and which of them the server knows. */
import type { KnownMessage } from "./branch-tree.ts";

const LOCAL = "local-";

/** Whether `id` is a message this page wrote and has not learnt the server's id of yet. */
export const isLocal = (id: string) => id.startsWith(LOCAL);

/**
 * The last message of the branch shown (its ids, root side first), for the server to check that
 * nobody moved the conversation on meanwhile: null before the first, undefined (no check) while
 * the last one is still a local copy whose server id the page has not learnt yet.
 */
export function lastSeenId(path: readonly string[]): string | null | undefined {
  const last = path.at(-1);
  if (last === undefined) return null;
  return isLocal(last) ? undefined : last;
}

let localCount = 0;

/** A message kept on the page until the server's copy replaces it, under `parent_id`. */
export function localMessage(
  fields: Pick<KnownMessage, "role" | "content" | "status" | "error" | "parent_id">,
): KnownMessage {
  // A counter, not crypto.randomUUID(): that exists only in secure contexts, and the page may be
  // opened over plain http on a LAN address.
  return { id: `${LOCAL}${++localCount}`, created_at: new Date().toISOString(), ...fields };
}
