/**
 * The page's calls to the Sluice API. Every failure becomes an {@link ApiError} with the server's
 * stable code, so the page can say what went wrong and whether Retry makes sense.
 */

import type { SentDocument } from "../src/conversations/context-documents.ts";
import type { ConversationPage, ConversationSummary } from "../src/conversations/conversation-list.ts";
import type { Conversation, ConversationState, SearchHit, StoredMessage } from "../src/conversations/store.ts";
import { attachmentPart } from "./question-documents.ts";

export type { ChatMessage } from "../src/contract.ts";
export type { ConversationPage, ConversationSummary } from "../src/conversations/conversation-list.ts";
export type {
  Conversation,
  ConversationState,
  Message,
  PathMessage,
  SearchHit,
  StoredMessage,
} from "../src/conversations/store.ts";

export interface Readiness {
  status: string;
  model: string;
  /** "simulator" when the built-in demo model answers. */
  upstream: string;
  /** Whether the model server answered the server's last probe. */
  upstream_reachable: boolean;
}

/** The download of conversation `id` as Markdown or JSON (the server names the file). */
export const exportUrl = (id: string, format: "md" | "json") =>
  `/api/conversations/${encodeURIComponent(id)}/export?format=${format}`;

export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly code: string,
    message: string,
    /** 0 when the server could not be reached at all. */
    readonly status: number,
    readonly retryable: boolean,
    /** The error's other fields (a 409 `conversation_moved` names `current_leaf_id`). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

// 429 (too many streams), 503 (draining) and an unreachable server are worth another try.
const retryableStatus = (status: number) => status === 0 || status === 429 || status === 502 || status === 503;

/** The address's conversation fragment (`#/c/<id>`), or "". */
const conversationFragment = () => (/^#\/c\/[^/]+$/.test(location.hash) ? location.hash : "");

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError("network_error", "Cannot reach the server. Check the connection.", 0, true);
  }
  // Signed out, or the session expired: the sign-in page brings the person back, to this
  // conversation (the fragment is the page's own: the server never sees it).
  if (response.status === 401 && path !== "/api/session") location.assign(`/login${conversationFragment()}`);
  if (response.status === 204) return undefined as T;
  const payload = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = (payload as { error?: { code?: string; message?: string } } | undefined)?.error;
    const message = error?.message ?? `The server answered ${response.status}.`;
    throw new ApiError(
      error?.code ?? `http_${response.status}`,
      message,
      response.status,
      retryableStatus(response.status),
      error ?? {},
    );
  }
  return payload as T;
}

export interface SessionInfo {
  user: string;
  mode: "token" | "trusted-header" | "oidc" | "none";
  canSignOut: boolean;
  /** May open the admin page (/admin). */
  admin: boolean;
}

/** What the server tells the page before a question is sent (`GET /api/chat-settings`). */
export interface ChatSettings {
  /** SYSTEM_PROMPT: what a conversation without its own instructions is sent. */
  system_prompt_default: string | null;
  system_prompt_max_length: number;
  images: { max_count: number; max_bytes: number; types: string[] };
  /** Documents (PDF and text, judged by their bytes): how many per question, their size, their text's length. */
  documents: { max_count: number; max_bytes: number; max_characters: number };
  /** Whether the operator declared MCP tools, and whether conversations get them unless they choose. */
  tools?: { available: boolean; default: boolean };
  /** SHARE: who may open a share link; `off`: the page offers none. */
  share: "off" | "signed-in" | "public";
}

/**
 * A question's content: its text alone, or OpenAI content parts when it carries attachments
 * (`data:` URLs: images, and documents whose URL names them, question-documents.ts).
 */
export function questionContent(text: string, attachments: readonly string[]) {
  // A question of attachments alone, asked again (Retry), is empty text: the server has them.
  if (text === "" && attachments.length === 0) return [{ type: "text", text }];
  if (attachments.length === 0) return text;
  const parts: object[] = text ? [{ type: "text", text }] : [];
  for (const url of attachments) parts.push(attachmentPart(url));
  return parts;
}

export interface StartedChat {
  streamId: string;
  streamUrl: string;
  /** How many messages the model was sent, how many older ones were left out to fit its window, and its documents. */
  context?: { messages: number; dropped: number; documents?: SentDocument[] };
  /** The question the answer is written under (a new one's id, or the stored one's). */
  questionId?: string;
  /** Continue: the answer extended. */
  continuesId?: string;
  /** The model asked. */
  model?: string;
}

/** One turn of a stored conversation, as `POST /api/chat` takes it beside `conversationId` (README). */
export type TurnBody =
  /** Ask after `parentId` (the last message seen), or Edit with `replace` (a new question under `parentId`). */
  | { content: unknown; parentId: string | null | undefined; replace?: true; model?: string | undefined }
  | { regenerate: string; model?: string | undefined }
  | { continue: string; model?: string | undefined };

/** Which part of a conversation's path a read asks for (`GET /api/conversations/:id`). */
export interface PathQuery {
  /** The path through this message, down to its newest leaf (default: the current branch). */
  leaf?: string | undefined;
  /** Only the messages above this one (the older part of the path). */
  before?: string | undefined;
  limit?: number | undefined;
  maxBytes?: number | undefined;
}

function pathQueryString({ leaf, before, limit, maxBytes }: PathQuery): string {
  const query = new URLSearchParams();
  if (leaf !== undefined) query.set("leaf", leaf);
  if (before !== undefined) query.set("before", before);
  if (limit !== undefined) query.set("limit", String(limit));
  if (maxBytes !== undefined) query.set("max_bytes", String(maxBytes));
  const text = query.toString();
  return text ? `?${text}` : "";
}

const conversationPath = (id: string) => `/api/conversations/${encodeURIComponent(id)}`;

export const api = {
  session: () => request<SessionInfo>("GET", "/api/session"),
  /** Under AUTH=oidc: the provider's sign-out page to go to next, when it has one. */
  signOut: () => request<{ end_session_url?: string } | undefined>("DELETE", "/api/session"),
  readiness: () => request<Readiness>("GET", "/readyz"),
  listConversations: (before?: string) =>
    request<ConversationPage>(
      "GET",
      `/api/conversations?limit=50${before ? `&before=${encodeURIComponent(before)}` : ""}`,
    ),
  searchConversations: (text: string) =>
    request<{ conversations: SearchHit[] }>("GET", `/api/conversations?limit=50&q=${encodeURIComponent(text)}`),
  /** The models this server allows (MODELS), the default first. */
  listModels: () => request<{ data: { id: string }[] }>("GET", "/v1/models"),
  createConversation: () => request<ConversationSummary>("POST", "/api/conversations", {}),
  getConversation: (id: string) => request<Conversation>("GET", conversationPath(id)),
  /** A window of one path through the conversation's tree (the newest part first; older by `before`). */
  readPath: (id: string, query: PathQuery) =>
    request<Conversation>("GET", conversationPath(id) + pathQueryString(query)),
  /** One message whole (a read cut it to its `max_bytes`). */
  getMessage: (id: string, messageId: string) =>
    request<StoredMessage>("GET", `${conversationPath(id)}/messages/${encodeURIComponent(messageId)}`),
  /** Shows the branch through `messageId` on every device; the conversation's fields, with the leaf it chose. */
  setCurrentLeaf: (id: string, messageId: string) =>
    request<ConversationState>("PATCH", conversationPath(id), { current_leaf_id: messageId }),
  /** The model the conversation asks when a question names none (null: the server's default). */
  setModel: (id: string, model: string | null) => request<ConversationState>("PATCH", conversationPath(id), { model }),
  renameConversation: (id: string, title: string) =>
    request<ConversationSummary>("PATCH", `/api/conversations/${encodeURIComponent(id)}`, { title }),
  deleteConversation: (id: string) => request<void>("DELETE", `/api/conversations/${encodeURIComponent(id)}`),
  chatSettings: () => request<ChatSettings>("GET", "/api/chat-settings"),
  /** Sets the conversation's own instructions; null: the server's default again. */
  setInstructions: (id: string, systemPrompt: string | null) =>
    request<ConversationSummary & { system_prompt: string | null }>(
      "PATCH",
      `/api/conversations/${encodeURIComponent(id)}`,
      { system_prompt: systemPrompt },
    ),
  /** A turn of conversation `conversationId`: Ask, Edit, Regenerate or Continue. */
  startTurn: (conversationId: string, turn: TurnBody) =>
    request<StartedChat>("POST", "/api/chat", { conversationId, ...turn }),
  /** Turns the conversation's tools on or off (null: the server's default). */
  setTools: (id: string, tools: boolean | null) =>
    request<{ tools: boolean | null }>("PATCH", `/api/conversations/${encodeURIComponent(id)}`, { tools }),
  stopStream: (streamId: string) => request<void>("DELETE", `/api/streams/${encodeURIComponent(streamId)}`),
};
