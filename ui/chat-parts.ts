/** The parts of the page the open conversation drives (main.ts builds them). */
import type { Conversation } from "./api.ts";
import type { AdminParts } from "./conversation-admin.ts";

export interface ChatParts extends AdminParts {
  /**
   * Conversation `id` is now the open one (null: a new chat); `created` when the new chat was just
   * saved as `id` (what it returns is awaited before the first question is sent).
   */
  opened(id: string | null, created?: boolean): void | Promise<void>;
  /** The open conversation was read: its own instructions, model and tools (null: a new chat). */
  loaded(conversation: Conversation | null): void;
  /** The model to ask (undefined: the server's default). */
  model(): string | undefined;
  /** Says, until the next question, why a question was not sent. */
  warn(text: string): void;
}

/** How a conversation opens. */
export interface OpenOptions {
  /** A stream not to re-attach to (the one just lost). */
  skipStream?: string | undefined;
  /** Show the branch through this message, on every device, scrolled to it (a search hit). */
  at?: string | undefined;
  /** Read the branch through this message (the leaf a 409 named). */
  leaf?: string | undefined;
}
