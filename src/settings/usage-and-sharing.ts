/**
 * Token usage (asked of the model, or estimated), each user's token budgets, and who may open a
 * share link. Read by config.ts.
 */
import { choice, type Env, integer } from "../env-values.ts";

/** Whether a model is asked for its usage (upstream/usage-request.ts): always, never, or unless it refuses. */
export const INCLUDE_USAGE_MODES = ["auto", "on", "off"] as const;
export type IncludeUsageMode = (typeof INCLUDE_USAGE_MODES)[number];

/** Who may open a share link: nobody (sharing off), signed-in users, or anyone who has it. */
export const SHARE_MODES = ["off", "signed-in", "public"] as const;
export type ShareMode = (typeof SHARE_MODES)[number];

export interface UsageAndSharingSettings {
  /** Whether streamed calls ask the model for its usage (UPSTREAM_INCLUDE_USAGE). */
  includeUsage: IncludeUsageMode;
  /** Tokens one user may spend per UTC day and month (0: no budget); an admin may set a user's own. */
  tokenBudgets: { perDay: number; perMonth: number };
  /** Who may open a share link (SHARE). */
  share: ShareMode;
}

/** Usage, budgets and share links (usage/, http/shares.ts). */
export function loadUsageAndSharing(env: Env): UsageAndSharingSettings {
  return {
    // auto: asked, unless the model refuses the option (then estimated); older servers answer it with a 400.
    includeUsage: choice(env, "UPSTREAM_INCLUDE_USAGE", INCLUDE_USAGE_MODES) ?? "auto",
    tokenBudgets: {
      // Off by default: the operator decides what a day of a user's work may cost.
      perDay: integer(env, "LIMIT_USER_TOKENS_PER_DAY", 0, 0, Number.MAX_SAFE_INTEGER),
      perMonth: integer(env, "LIMIT_USER_TOKENS_PER_MONTH", 0, 0, Number.MAX_SAFE_INTEGER),
    },
    // signed-in: a link works for colleagues, never for whoever finds it in a log or a forward.
    share: choice(env, "SHARE", SHARE_MODES) ?? "signed-in",
  };
}
