/**
 * A conversation as a file to keep: Markdown to read, JSON to process. Both hold every message
 * as stored, failed and stopped answers marked as such.
 */
import type { Conversation, Message } from "./store.ts";

export type ExportFormat = "md" | "json";

export interface ExportFile {
  /** ASCII only, safe in any file system and in a quoted `filename=`. */
  fileName: string;
  contentType: string;
  body: string;
}

const ROLE_HEADINGS = { user: "You", assistant: "Assistant", system: "System" } as const;

const STATUS_NOTES: Partial<Record<Message["status"], string>> = {
  cancelled: "stopped before the end",
  error: "failed",
  interrupted: "interrupted by a server restart",
};

/** `conversation` as a file in `format`; `now` is the export's time (ISO 8601). */
export function exportConversation(conversation: Conversation, format: ExportFormat, now: string): ExportFile {
  const fileName = `${safeFileStem(conversation.title)}.${format}`;
  if (format === "json") {
    const { running_stream_id: _running, ...kept } = conversation;
    const body = `${JSON.stringify({ ...kept, exported_at: now }, null, 2)}\n`;
    return { fileName, contentType: "application/json; charset=utf-8", body };
  }
  return { fileName, contentType: "text/markdown; charset=utf-8", body: toMarkdown(conversation, now) };
}

function toMarkdown(conversation: Conversation, now: string): string {
  const title = conversation.title ?? "Untitled";
  const parts = [`# ${title.replace(/\n/g, " ")}`, `_Exported from Sluice on ${now}._`];
  for (const message of conversation.messages) {
    const note = STATUS_NOTES[message.status];
    const error = message.error ? ` (${message.error.code})` : "";
    parts.push(`## ${ROLE_HEADINGS[message.role]}`);
    if (message.content) parts.push(message.content.trimEnd());
    if (note) parts.push(`_Answer ${note}${error}._`);
  }
  return `${parts.join("\n\n")}\n`;
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
