/**
 * `GET /api/chat-settings`: what the chat page needs to know before a question is sent: the
 * server's default instructions (shown as the placeholder of a conversation's own), their length
 * cap, the image and document caps, so the page refuses a file the server would refuse before
 * uploading it, and who may open a share link (the page offers Share unless it is off).
 */
import { Elysia } from "elysia";
import { ACCEPTED_IMAGE_TYPES } from "../conversations/images.ts";
import type { DocumentLimits, ImageLimits } from "../settings/attachments.ts";
import type { ShareMode } from "../settings/usage-and-sharing.ts";
import { maxSystemPromptLength } from "./schemas.ts";

export interface ChatSettingsDeps {
  /** SYSTEM_PROMPT, or undefined. */
  systemPrompt: string | undefined;
  images: ImageLimits;
  /** SHARE; absent: off. */
  share?: ShareMode | undefined;
  documents: DocumentLimits;
  /** Whether the operator declared MCP tools, and whether conversations get them unless they choose. */
  tools?: { available: boolean; defaultOn: boolean };
}

export function chatSettingsRoutes(deps: ChatSettingsDeps) {
  const settings = {
    system_prompt_default: deps.systemPrompt ?? null,
    system_prompt_max_length: maxSystemPromptLength,
    images: {
      max_count: deps.images.maxCount,
      max_bytes: deps.images.maxBytes,
      types: ACCEPTED_IMAGE_TYPES,
    },
    share: deps.share ?? "off",
    // The kind of a document is judged by its bytes, so the page offers every file and the server decides.
    documents: {
      max_count: deps.documents.maxCount,
      max_bytes: deps.documents.maxBytes,
      max_characters: deps.documents.maxChars,
    },
    tools: { available: deps.tools?.available ?? false, default: deps.tools?.defaultOn ?? false },
  };
  return new Elysia().get("/api/chat-settings", () => settings);
}
