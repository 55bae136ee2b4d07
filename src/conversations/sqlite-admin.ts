/**
 * What the admin page reads and writes in SQLite beyond one user's conversations: every user's
 * activity (one pass over the conversations, by the owner index) and the audit log, appended only.
 */
import type { DatabaseSync } from "node:sqlite";
import type { AuditEntry, StoredAuditEntry, UserActivity } from "./admin-store.ts";

interface AuditRow extends Omit<AuditEntry, "details"> {
  id: number;
  details: string;
}

/** Every owner's conversations, stored bytes (as quotas.ts counts them) and last change. */
export function activityOf(db: DatabaseSync): UserActivity[] {
  const rows = db
    .prepare(
      `SELECT owner AS user, count(*) AS conversations,
         coalesce(sum(stored_bytes + length(CAST(coalesce(title, '') AS BLOB))
           + length(CAST(coalesce(system_prompt, '') AS BLOB))), 0) AS stored_bytes,
         max(updated_at) AS last_active
       FROM conversations GROUP BY owner ORDER BY owner`,
    )
    .all() as unknown as (Omit<UserActivity, "last_active_at"> & { last_active: number })[];
  return rows.map(({ last_active, ...row }) => ({ ...row, last_active_at: new Date(last_active).toISOString() }));
}

export function appendAudit(db: DatabaseSync, entry: AuditEntry): number {
  const result = db
    .prepare("INSERT INTO audit_log (at, actor, action, target, details, address) VALUES (?, ?, ?, ?, ?, ?)")
    .run(entry.at, entry.actor, entry.action, entry.target, JSON.stringify(entry.details), entry.address);
  return Number(result.lastInsertRowid);
}

export function auditLog(db: DatabaseSync, { limit, before }: { limit: number; before?: number }): StoredAuditEntry[] {
  const rows = (before === undefined
    ? db.prepare("SELECT * FROM audit_log ORDER BY id DESC LIMIT ?").all(limit)
    : db
        .prepare("SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?")
        .all(before, limit)) as unknown as AuditRow[];
  return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
}
