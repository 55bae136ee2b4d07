/**
 * The audit log: every admin action is a row of the store's audit_log table (appended only; no
 * route edits or deletes one) and one server log line. The row is written before the action
 * takes effect, so nothing an admin does goes unrecorded; the log line follows with the outcome.
 */
import type { AuditEntry, StoredAuditEntry } from "../conversations/admin-store.ts";
import type { ConversationStore } from "../conversations/store.ts";
import { logInfo, logWarning } from "../log.ts";

export type AuditAction = "sign_out_everywhere" | "stop_generation" | "set_budget";

/** Who acts, from where. */
export interface Actor {
  user: string;
  address: string | undefined;
}

export class AuditLog {
  constructor(private readonly store: Pick<ConversationStore, "appendAudit" | "auditLog">) {}

  /**
   * Records `action` by `actor` on `target`, then runs `effect`: the row first (a store failure
   * stops the action), the log line after, with the outcome.
   */
  async record<T>(
    actor: Actor,
    action: AuditAction,
    target: string | null,
    details: Record<string, unknown>,
    effect: () => Promise<T>,
  ): Promise<T> {
    const entry: AuditEntry = {
      at: Date.now(),
      actor: actor.user,
      action,
      target,
      details,
      address: actor.address ?? null,
    };
    const id = await this.store.appendAudit(entry);
    const line = { audit_id: id, actor: entry.actor, action, target, details, address: entry.address };
    try {
      const result = await effect();
      logInfo("admin action", { ...line, outcome: "done" });
      return result;
    } catch (error) {
      logWarning("admin action", { ...line, outcome: "failed", code: (error as { code?: string }).code });
      throw error;
    }
  }

  /** Newest first. */
  list(page: { limit: number; before?: number | undefined }): Promise<StoredAuditEntry[]> {
    return this.store.auditLog(page);
  }
}
