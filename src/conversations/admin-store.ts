/**
 * What the admin page reads of the conversation store (who stores what, and when they last
 * wrote) and the audit log of admin actions it keeps. Both stores implement it on their own
 * database (sqlite-admin.ts, postgres-admin.ts), so with PostgreSQL every instance shares one log.
 */

/** One user as the admin page lists them (their usage in tokens comes from elsewhere). */
export interface UserActivity {
  user: string;
  conversations: number;
  /** What they store, counted as their quota counts it. */
  stored_bytes: number;
  /** ISO 8601: when a conversation of theirs last changed. */
  last_active_at: string;
}

/** One admin action, as the audit log keeps it. */
export interface AuditEntry {
  /** Epoch milliseconds. */
  at: number;
  /** The admin who acted. */
  actor: string;
  /** What was done: `sign_out_everywhere`, `stop_generation`, `set_budget`. */
  action: string;
  /** The user acted on (or whose generation was stopped). */
  target: string | null;
  /** The action's own fields (a generation's id, a budget's values). */
  details: Record<string, unknown>;
  /** The admin's client address. */
  address: string | null;
}

export interface StoredAuditEntry extends AuditEntry {
  id: number;
}

/** A page of the audit log: at most `limit` entries, older than entry `before` when given. */
export interface AuditPage {
  limit: number;
  before?: number | undefined;
}

export interface AdminStore {
  /** Every user who stores a conversation: what they store and when they last wrote (the admin page). */
  activity(): Promise<UserActivity[]>;
  /** Appends one admin action to the audit log; returns its id. */
  appendAudit(entry: AuditEntry): Promise<number>;
  /** The audit log, newest first: at most `limit` entries, older than entry `before` when given. */
  auditLog(page: AuditPage): Promise<StoredAuditEntry[]>;
}
