/**
 * What a question may carry besides its text (images, documents), how large, and how many of
 * them a conversation's context sends the model again. Read by config.ts.
 */
import { type Env, integer } from "../env-values.ts";

export interface ImageLimits {
  /** Images one question may carry (IMAGE_MAX_COUNT); 0: none. */
  maxCount: number;
  /** Bytes of one image, decoded (IMAGE_MAX_BYTES). */
  maxBytes: number;
  /** Images a conversation's context sends again, newest first (CONTEXT_MAX_IMAGES). */
  contextMaxImages: number;
}

export interface DocumentLimits {
  /** Documents one question may carry (DOCUMENT_MAX_COUNT); 0: none. */
  maxCount: number;
  /** Bytes of one document's file, decoded (DOCUMENT_MAX_BYTES). */
  maxBytes: number;
  /** Characters of one document's text, once read (DOCUMENT_MAX_CHARS). */
  maxChars: number;
  /** The longest reading one PDF may take (DOCUMENT_READ_TIMEOUT_MS). */
  readTimeoutMs: number;
  /** Documents a conversation's context sends again, newest first (CONTEXT_MAX_DOCUMENTS). */
  contextMaxDocuments: number;
  /** The percent of MAX_CONTEXT_TOKENS a context's documents may take together (CONTEXT_DOCUMENT_SHARE). */
  contextSharePercent: number;
}

/** Images in questions, and how many a conversation sends again. */
export function loadImageSettings(env: Env): ImageLimits {
  return {
    // 0 turns images off. A few per question is what chat models are tuned for.
    maxCount: integer(env, "IMAGE_MAX_COUNT", 4, 0, 32),
    // 5 MiB: below OpenAI's per-image cap (20 MB) and enough for a phone photo or a screenshot.
    maxBytes: integer(env, "IMAGE_MAX_BYTES", 5_242_880, 1_024, 52_428_800),
    // Every image is sent again with each later turn: this bounds the request to the model.
    contextMaxImages: integer(env, "CONTEXT_MAX_IMAGES", 8, 0, 256),
  };
}

/** What documents may be sent, and how much of them the model is sent (conversations/context-documents.ts). */
export function loadDocumentLimits(env: Env): DocumentLimits {
  return {
    // 0 turns documents off. A few files per question is what people attach in other chat servers.
    maxCount: integer(env, "DOCUMENT_MAX_COUNT", 4, 0, 32),
    // 8 MiB: a long report or a book as PDF; with four of them a question stays near 45 MB of JSON.
    maxBytes: integer(env, "DOCUMENT_MAX_BYTES", 8_388_608, 1_024, 104_857_600),
    // 1 million characters (some 250,000 tokens, a 400-page book): more than any window sends.
    maxChars: integer(env, "DOCUMENT_MAX_CHARS", 1_000_000, 1_000, 50_000_000),
    // A large PDF reads in a few seconds; one that takes far longer is a trap, not a document.
    readTimeoutMs: integer(env, "DOCUMENT_READ_TIMEOUT_MS", 20_000, 100, 600_000),
    // Every carried document is sent again with each later turn, within its share of the window.
    contextMaxDocuments: integer(env, "CONTEXT_MAX_DOCUMENTS", 8, 0, 256),
    // Half the window: the rest is for the instructions, the question and the turns before it.
    contextSharePercent: integer(env, "CONTEXT_DOCUMENT_SHARE", 50, 1, 100),
  };
}
