/**
 * A conversation as a file to keep: Markdown to read (the branch the conversation shows), JSON to
 * process (the whole tree: every message with its parent, the current leaf, models and figures).
 * Failed, stopped and cut-off answers are marked as such; a question's documents are listed (names
 * and sizes in Markdown, their metadata in JSON: never their text, which the owner reads at the
 * documents route). The file is made piece by piece as it is
 * sent, a batch of messages at a time, so a long conversation is never held whole in memory.
 */
import type { DocumentRef } from "./documents.ts";
import type { PathSource } from "./path-read.ts";
import type { ConversationTree, Message, StoredMessage } from "./store.ts";
import { MessageTree } from "./tree.ts";

export type ExportFormat = "md" | "json";

export interface ExportFile {
  /** ASCII only, safe in any file system and in a quoted `filename=`. */
  fileName: string;
  /** The conversation's title, for a file name in its own characters. */
  title: string | null;
  contentType: string;
  /** The file's text, in pieces, read from the store as they are asked for. */
  body: AsyncGenerator<string>;
}

const ROLE_HEADINGS = { user: "You", assistant: "Assistant", system: "System" } as const;

const STATUS_NOTES: Partial<Record<Message["status"], string>> = {
  cancelled: "stopped before the end",
  error: "failed",
  interrupted: "interrupted by a server restart",
};

// Messages read from the store at a time: a bounded slice of a conversation in memory.
const BATCH = 100;

/**
 * `owner`'s conversation `id` as a file in `format` (`now` is the export's time, ISO 8601);
 * undefined when there is no such conversation.
 */
export async function exportConversation(
  source: PathSource,
  owner: string,
  id: string,
  format: ExportFormat,
  now: string,
): Promise<ExportFile | undefined> {
  const found = await source.tree(owner, id);
  if (!found) return undefined;
  const { title } = found.conversation;
  const fileName = `${safeFileStem(title)}.${format}`;
  const batches = (ids: string[]) => inBatches(source, owner, id, ids);
  if (format === "json")
    return { fileName, title, contentType: "application/json; charset=utf-8", body: toJson(found, batches, now) };
  return { fileName, title, contentType: "text/markdown; charset=utf-8", body: toMarkdown(found, batches, now) };
}

async function* inBatches(source: PathSource, owner: string, id: string, ids: string[]) {
  for (let at = 0; at < ids.length; at += BATCH) yield* await source.messages(owner, id, ids.slice(at, at + BATCH));
}

type Batches = (ids: string[]) => AsyncGenerator<StoredMessage>;

/** The branch the conversation shows, from its first question to its current leaf. */
async function* toMarkdown(found: ConversationTree, batches: Batches, now: string) {
  const title = found.conversation.title ?? "Untitled";
  yield `# ${title.replace(/\n/g, " ")}\n\n_Exported from Sluice on ${now}._`;
  const tree = new MessageTree(found.nodes);
  const leaf = tree.currentLeaf(found.conversation.current_leaf_id);
  const path = leaf === null ? [] : tree.pathTo(leaf).map((node) => node.id);
  for await (const message of batches(path)) yield `\n\n${messageInMarkdown(message)}`;
  yield "\n";
}

function messageInMarkdown(message: StoredMessage): string {
  const parts = [`## ${ROLE_HEADINGS[message.role]}`];
  // Names only, kept to letters, digits, "_" and "-": the model wrote them, and a tool's
  // arguments and result are untrusted text that has no place in a Markdown file.
  const calls = message.tool_steps?.map(
    (step) => `- Called \`${step.name.replace(/[^A-Za-z0-9_-]/g, "_")}\` (${step.status})`,
  );
  if (calls?.length) parts.push(`_Tools:_\n${calls.join("\n")}`);
  if (message.content) parts.push(message.content.trimEnd());
  if (message.documents?.length) parts.push(documentList(message.documents));
  const cutOff = message.status === "complete" && message.figures?.finish_reason === "length";
  const note = cutOff ? "cut off at the output limit" : STATUS_NOTES[message.status];
  const error = message.error ? ` (${message.error.code})` : "";
  if (note) parts.push(`_Answer ${note}${error}._`);
  if (message.model) parts.push(`_Model: ${message.model}._`);
  return parts.join("\n\n");
}

const units = ["bytes", "KB", "MB", "GB"];

/** A size as people read it: 812 bytes, 14.2 KB, 3.1 MB (powers of 1024). */
function readableSize(bytes: number): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit++;
  }
  return unit === 0 ? `${size} bytes` : `${size.toFixed(1)} ${units[unit]}`;
}

/** A question's documents, one per line: name, size, kind. Names are escaped: they are a user's words. */
function documentList(documents: readonly DocumentRef[]): string {
  const lines = documents.map((document) => {
    const pages = document.pages ?? 0;
    const kind = document.media_type === "application/pdf" ? `PDF, ${pages} page${pages === 1 ? "" : "s"}` : "text";
    const name = document.name.replace(/[\\`*_[\]<>]/g, (c) => `\\${c}`);
    return `- ${name} (${readableSize(document.size)}, ${kind})`;
  });
  return `_Documents:_\n\n${lines.join("\n")}`;
}

/** The whole tree: the conversation's fields, then every message in the order written, each with its parent. */
async function* toJson(found: ConversationTree, batches: Batches, now: string) {
  const { running_stream_id, running_parent_id, running_continues_id, ...kept } = found.conversation;
  const head = JSON.stringify({ ...kept, exported_at: now }, null, 2);
  yield `${head.slice(0, -2)},\n  "messages": [`;
  let first = true;
  for await (const message of batches(found.nodes.map((node) => node.id))) {
    // JSON escapes the newlines of strings, so every newline here is the layout's own.
    yield `${first ? "" : ","}\n    ${JSON.stringify(message, null, 2).replace(/\n/g, "\n    ")}`;
    first = false;
  }
  yield `${first ? "" : "\n  "}]\n}\n`;
}

/**
 * A file name from a title: accents dropped, anything but letters, digits, dot, dash and
 * underscore turned into one dash, at most 80 characters; "conversation" when nothing is left.
 * No dot at the start, so the file is never hidden, and no path separator can survive.
 */
export function safeFileStem(title: string | null): string {
  const stem = (title ?? "")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 80)
    .replace(/[-.]+$/, "");
  return stem || "conversation";
}
