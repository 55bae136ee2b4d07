/**
 * What the admin page reads and writes in PostgreSQL beyond one user's conversations: every
 * user's activity and the audit log (SQLite's are sqlite-admin.ts).
 */
import type { Sql } from "postgres";
import type { AuditEntry, StoredAuditEntry, UserActivity } from "./admin-store.ts";
import { rethrowAsStoreError } from "./postgres-errors.ts";

/** Every owner's conversations, stored bytes (as quotas.ts counts them) and last change. */
export async function activityOf(sql: Sql): Promise<UserActivity[]> {
  const rows = await sql<(Omit<UserActivity, "last_active_at"> & { last_active: number })[]>`
    SELECT owner AS user, count(*)::int AS conversations,
      coalesce(sum(stored_bytes + octet_length(coalesce(title, '')) + octet_length(coalesce(system_prompt, ''))), 0)::bigint
        AS stored_bytes,
      max(updated_at) AS last_active
    FROM conversations GROUP BY owner ORDER BY owner`.catch(rethrowAsStoreError);
  return rows.map(({ last_active, ...row }) => ({ ...row, last_active_at: new Date(last_active).toISOString() }));
}

export async function appendAudit(sql: Sql, entry: AuditEntry): Promise<number> {
  const [row] = await sql<{ id: number }[]>`
    INSERT INTO audit_log (at, actor, action, target, details, address)
    VALUES (${entry.at}, ${entry.actor}, ${entry.action}, ${entry.target}, ${JSON.stringify(entry.details)}, ${entry.address})
    RETURNING id`.catch(rethrowAsStoreError);
  return row?.id ?? 0;
}

export async function auditLog(sql: Sql, { limit, before }: { limit: number; before?: number }) {
  const rows = await sql<(Omit<StoredAuditEntry, "details"> & { details: string })[]>`
    SELECT * FROM audit_log ${before === undefined ? sql`` : sql`WHERE id < ${before}`}
    ORDER BY id DESC LIMIT ${limit}`.catch(rethrowAsStoreError);
  return rows.map((row): StoredAuditEntry => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
}
