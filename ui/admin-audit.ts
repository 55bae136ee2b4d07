/** The admin page's audit log, newest first, a page at a time. */
import { adminApi, type StoredAuditEntry } from "./admin-api.ts";
import { byId, h } from "./dom.ts";

const AUDIT_PAGE = 50;

const ACTIONS: Record<string, string> = {
  sign_out_everywhere: "Signed out everywhere",
  stop_generation: "Stopped an answer",
  set_budget: "Set a budget",
};

function details(entry: StoredAuditEntry): string {
  return Object.entries(entry.details)
    .map(([name, value]) => `${name}: ${value === null ? "default" : String(value)}`)
    .join(", ");
}

function auditRow(entry: StoredAuditEntry): HTMLTableRowElement {
  return h(
    "tr",
    { "data-action": entry.action },
    h("td", {}, new Date(entry.at).toLocaleString()),
    h("td", {}, entry.actor),
    h("td", {}, ACTIONS[entry.action] ?? entry.action),
    h("td", {}, entry.target ?? "—"),
    h("td", { class: "mono" }, details(entry)),
    h("td", {}, entry.address ?? "—"),
  );
}

/** Shows the newest entries (or, with `before`, the next older page below those shown). */
export async function showAudit(before?: number): Promise<void> {
  const { entries } = await adminApi.audit(before);
  const body = byId("audit").querySelector("tbody") as HTMLTableSectionElement;
  const rows = entries.map(auditRow);
  if (before === undefined) body.replaceChildren(...rows);
  else body.append(...rows);
  const more = byId<HTMLButtonElement>("audit-more");
  const oldest = entries.at(-1)?.id;
  // A short page is the last one (the API's page is AUDIT_PAGE entries).
  more.hidden = entries.length < AUDIT_PAGE || oldest === undefined;
  more.onclick = () => void showAudit(oldest);
}
