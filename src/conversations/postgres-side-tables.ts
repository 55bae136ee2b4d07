/**
 * The PostgreSQL store's tables beside the conversations: the token ledger and budgets
 * (postgres-token-usage.ts), share links (postgres-shares.ts), and the admin page's reads and
 * audit log (postgres-admin.ts). PostgresConversationStore (postgres.ts) extends this class, so
 * its own file keeps only the conversations' calls. A share link is a snapshot built from the
 * store's own reads of the tree, its messages and their images: the store supplies those.
 */
import type { Sql } from "postgres";
import type {
  BudgetChange,
  BudgetOverride,
  BudgetReading,
  TokenUsageStore,
  UsageEntry,
  UsageQuery,
  UsageRow,
  UserBudgetOverride,
} from "../usage/usage-store.ts";
import type { AdminStore, AuditEntry, AuditPage, StoredAuditEntry, UserActivity } from "./admin-store.ts";
import type { ConversationSummary } from "./conversation-list.ts";
import type { StoredImage } from "./images.ts";
import * as admin from "./postgres-admin.ts";
import * as shares from "./postgres-shares.ts";
import * as tokens from "./postgres-token-usage.ts";
import { toSummary } from "./rows.ts";
import { buildShare, copyOfShare, type ShareSource, toSharedConversation, toShareSummary } from "./share-snapshot.ts";
import type { QuotaRoom, SharedConversation, SharedImage, ShareLinkStore, ShareSummary } from "./shares.ts";
import type { ConversationTree, StoredMessage } from "./store.ts";

export abstract class PostgresSideTables implements TokenUsageStore, ShareLinkStore, AdminStore, ShareSource {
  constructor(readonly sql: Sql) {}

  abstract tree(owner: string, id: string): Promise<ConversationTree | undefined>;
  abstract messages(owner: string, id: string, ids: string[]): Promise<StoredMessage[]>;
  abstract imagesOf(owner: string, conversationId: string, messageIds: string[]): Promise<StoredImage[]>;

  async addTokenUsage(entries: UsageEntry[]): Promise<void> {
    await tokens.addTokenUsage(this.sql, entries);
  }

  async tokenUsageReport(query: UsageQuery): Promise<UsageRow[]> {
    return tokens.tokenUsageReport(this.sql, query);
  }

  async budgetReading(user: string, day: string): Promise<BudgetReading> {
    return tokens.budgetReading(this.sql, user, day);
  }

  async budgetOverrides(): Promise<UserBudgetOverride[]> {
    return tokens.budgetOverrides(this.sql);
  }

  async setBudgetOverride(user: string, change: BudgetChange): Promise<BudgetOverride | undefined> {
    return tokens.setBudgetOverride(this.sql, user, change);
  }

  async createShare(owner: string, conversationId: string, room?: QuotaRoom): Promise<ShareSummary | undefined> {
    const share = await buildShare(this, owner, conversationId, room);
    return share && (await shares.insertShare(this.sql, owner, share)) ? toShareSummary(share) : undefined;
  }

  async listShares(owner: string, conversationId?: string): Promise<ShareSummary[]> {
    return (await shares.listShares(this.sql, owner, conversationId)).map(toShareSummary);
  }

  async revokeShare(owner: string, id: string): Promise<boolean> {
    return shares.revokeShare(this.sql, owner, id);
  }

  async sharedConversation(id: string): Promise<SharedConversation | undefined> {
    const row = await shares.shareRow(this.sql, id);
    return row && toSharedConversation(row);
  }

  async sharedImage(id: string, imageId: string): Promise<SharedImage | undefined> {
    return shares.sharedImage(this.sql, id, imageId);
  }

  async copyShare(owner: string, id: string, room?: QuotaRoom): Promise<ConversationSummary | undefined> {
    const row = await shares.shareRow(this.sql, id);
    if (!row) return undefined;
    const copy = copyOfShare(row, await shares.shareImages(this.sql, id), room);
    await shares.writeCopy(this.sql, owner, copy);
    return toSummary(copy.conversation);
  }

  async activity(): Promise<UserActivity[]> {
    return admin.activityOf(this.sql);
  }

  async appendAudit(entry: AuditEntry): Promise<number> {
    return admin.appendAudit(this.sql, entry);
  }

  async auditLog(page: AuditPage): Promise<StoredAuditEntry[]> {
    return admin.auditLog(this.sql, page);
  }
}
