/**
 * The admin page's users: storage, last activity, tokens over the chosen span (with each day and
 * model under a disclosure), their budget, and the actions on a user (set the budget, sign out
 * everywhere).
 */
import type { BudgetOverride } from "../src/admin/admin-data.ts";
import { type AdminOverview, adminApi, type UserOverview } from "./admin-api.ts";
import { byId, h } from "./dom.ts";

export interface UserActions {
  /** Shows an action's outcome (or failure) and reloads what it changed. */
  done(message: string, error?: unknown): void;
}

const count = new Intl.NumberFormat();

function bytes(value: number): string {
  if (value < 1024) return `${value} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let scaled = value / 1024;
  let unit = 0;
  for (; scaled >= 1024 && unit < units.length - 1; unit++) scaled /= 1024;
  return `${scaled.toFixed(scaled < 10 ? 1 : 0)} ${units[unit]}`;
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");
const limit = (value: number | null | undefined) => (value == null ? "default" : count.format(value));

/** The tokens cell: totals, and each day and model under a disclosure. */
function usageCell(user: UserOverview, recorded: boolean): HTMLElement {
  if (!recorded) return h("td", { class: "number muted" }, "—");
  const total = `${count.format(user.prompt_tokens)} / ${count.format(user.completion_tokens)}`;
  if (user.usage.length === 0) return h("td", { class: "number" }, total);
  const rows = user.usage.map((row) =>
    h(
      "li",
      {},
      `${row.day} · ${row.model}: ${count.format(row.prompt_tokens)} / ${count.format(row.completion_tokens)}`,
    ),
  );
  return h("td", { class: "number" }, h("details", {}, h("summary", {}, total), h("ul", { class: "usage" }, ...rows)));
}

export async function signOut(user: string, actions: UserActions): Promise<void> {
  if (!confirm(`Sign ${user} out of every browser? They can sign in again.`)) return;
  try {
    await adminApi.signOutEverywhere(user);
    actions.done(`${user} is signed out everywhere.`);
  } catch (error) {
    actions.done(`Could not sign ${user} out`, error);
  }
}

/** Opens the budget dialog for `user`; saves what the admin enters. */
function editBudget(user: string, budget: BudgetOverride | null, actions: UserActions): void {
  const dialog = byId<HTMLDialogElement>("budget-dialog");
  const day = byId<HTMLInputElement>("budget-day");
  const month = byId<HTMLInputElement>("budget-month");
  byId("budget-title").textContent = `Budget of ${user}`;
  day.value = budget?.tokens_per_day == null ? "" : String(budget.tokens_per_day);
  month.value = budget?.tokens_per_month == null ? "" : String(budget.tokens_per_month);
  const form = byId<HTMLFormElement>("budget-form");
  form.onsubmit = async (event) => {
    event.preventDefault();
    const value = (input: HTMLInputElement) => (input.value.trim() === "" ? null : Number(input.value));
    dialog.close();
    try {
      await adminApi.setBudget(user, { tokens_per_day: value(day), tokens_per_month: value(month) });
      actions.done(`The budget of ${user} is saved.`);
    } catch (error) {
      actions.done(`Could not save the budget of ${user}`, error);
    }
  };
  byId("budget-cancel").onclick = () => dialog.close();
  dialog.showModal();
}

function userRow(user: UserOverview, overview: AdminOverview, actions: UserActions): HTMLTableRowElement {
  const budget = user.budget;
  const buttons = h("td", { class: "actions" });
  if (overview.budgets_settable) {
    const edit = h("button", { type: "button" }, "Budget…");
    edit.addEventListener("click", () => editBudget(user.user, budget, actions));
    buttons.append(edit);
  }
  const signOutButton = h("button", { type: "button", class: "danger" }, "Sign out everywhere");
  signOutButton.addEventListener("click", () => void signOut(user.user, actions));
  buttons.append(signOutButton);
  return h(
    "tr",
    { "data-user": user.user },
    h("th", { scope: "row" }, user.user),
    h("td", { class: "number" }, count.format(user.conversations)),
    h("td", { class: "number" }, bytes(user.stored_bytes)),
    h("td", {}, when(user.last_active_at)),
    usageCell(user, overview.usage_recorded),
    h(
      "td",
      {},
      overview.budgets_settable ? `${limit(budget?.tokens_per_day)} / ${limit(budget?.tokens_per_month)}` : "—",
    ),
    buttons,
  );
}

/** Loads the users over the span chosen and shows them. */
export async function showUsers(actions: UserActions): Promise<void> {
  const days = Number(byId<HTMLSelectElement>("usage-days").value);
  const overview = await adminApi.users(days);
  byId("usage-note").hidden = overview.usage_recorded;
  const body = byId("users").querySelector("tbody") as HTMLTableSectionElement;
  body.replaceChildren(...overview.users.map((user) => userRow(user, overview, actions)));
}
