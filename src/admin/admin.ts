/**
 * What an admin can see and do, as plain functions over Sluice's parts (the routes are
 * http/admin.ts): the users with their usage, storage and activity; the generations running now,
 * and Stop on any of them, on whichever instance runs it (through the same directory as its
 * owner's own Stop); sign a user out everywhere; set a user's budget. Every action is written to
 * the audit log before it takes effect.
 */
import type { SessionSigner } from "../auth/sessions.ts";
import type { StoredAuditEntry } from "../conversations/admin-store.ts";
import type { ConversationStore } from "../conversations/store.ts";
import { NotFoundError } from "../errors.ts";
import type { RunningGeneration, RunningGenerations } from "../generation/running.ts";
import type { GenerationDirectory } from "../generation/view.ts";
import type { BudgetOverride, UsageAdmin, UserBudget } from "./admin-data.ts";
import { type Actor, AuditLog } from "./audit-log.ts";
import { type AdminOverview, daySpan, overview } from "./overview.ts";

export interface AdminParts {
  store: Pick<ConversationStore, "activity" | "appendAudit" | "auditLog">;
  sessions: SessionSigner;
  running: RunningGenerations;
  generations: GenerationDirectory;
  usage: UsageAdmin;
}

export interface Admin {
  users(days: number): Promise<AdminOverview>;
  running(): Promise<RunningGeneration[]>;
  /** Stops generation `id`, whoever owns it; 404 when none by that id is running. */
  stop(actor: Actor, id: string): Promise<RunningGeneration>;
  /** Ends every session of `user` issued until now, on every instance. */
  signOutEverywhere(actor: Actor, user: string): Promise<{ user: string; signed_out_before: string }>;
  /** Undefined when no usage recorder takes budgets. */
  setBudget: ((actor: Actor, user: string, budget: BudgetOverride) => Promise<UserBudget>) | undefined;
  audit(page: { limit: number; before?: number | undefined }): Promise<StoredAuditEntry[]>;
}

export function createAdmin({ store, sessions, running, generations, usage }: AdminParts): Admin {
  const audit = new AuditLog(store);
  const budgets = usage.budgets;
  return {
    users: async (days) => overview(await store.activity(), usage, daySpan(days)),
    running: () => running.list(),
    async stop(actor, id) {
      const entry = (await running.list()).find((generation) => generation.id === id);
      const view = entry && (await generations.find(id, entry.owner));
      if (!entry || !view || view.ended) throw new NotFoundError("generation");
      const details = { id, model: entry.model, instance: entry.instance };
      await audit.record(actor, "stop_generation", entry.owner, details, async () => view.cancel("stop"));
      return entry;
    },
    async signOutEverywhere(actor, user) {
      const before = await audit.record(actor, "sign_out_everywhere", user, {}, () => sessions.revokeUser(user));
      return { user, signed_out_before: new Date(before).toISOString() };
    },
    setBudget:
      budgets &&
      (async (actor, user, budget) => {
        await audit.record(actor, "set_budget", user, { ...budget }, () => budgets.setBudget(user, budget));
        return { user, ...budget };
      }),
    audit: (page) => audit.list(page),
  };
}
