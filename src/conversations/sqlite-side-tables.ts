/**
 * The SQLite store's tables beside the conversations: the token ledger and budgets
 * (sqlite-token-usage.ts), share links (sqlite-shares.ts), and the admin page's reads and
 * audit log (sqlite-admin.ts). SqliteConversationStore (sqlite.ts) extends this class, so
 * its own file keeps only the conversations' calls. A share link is a snapshot built from the
 * store's own reads of the tree, its messages and their images: the store supplies those. The
 * database is protected, not private (`#`), for the store to share it; the worker thread calls only
 * methods (sqlite-worker-thread.ts), and it finds inherited ones like the store's own.
 */
import type { DatabaseSync } from "node:sqlite";
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
import { toSummary } from "./rows.ts";
import { buildShare, copyOfShare, type ShareSource, toSharedConversation, toShareSummary } from "./share-snapshot.ts";
import type { QuotaRoom, SharedConversation, SharedImage, ShareLinkStore, ShareSummary } from "./shares.ts";
import * as admin from "./sqlite-admin.ts";
import * as shares from "./sqlite-shares.ts";
import * as tokens from "./sqlite-token-usage.ts";
import type { ConversationTree, StoredMessage } from "./store.ts";

export abstract class SqliteSideTables implements TokenUsageStore, ShareLinkStore, AdminStore, ShareSource {
  constructor(protected readonly db: DatabaseSync) {}

  abstract tree(owner: string, id: string): Promise<ConversationTree | undefined>;
  abstract messages(owner: string, id: string, ids: string[]): Promise<StoredMessage[]>;
  abstract imagesOf(owner: string, conversationId: string, messageIds: string[]): Promise<StoredImage[]>;

  async addTokenUsage(entries: UsageEntry[]): Promise<void> {
    tokens.addTokenUsage(this.db, entries);
  }

  async tokenUsageReport(query: UsageQuery): Promise<UsageRow[]> {
    return tokens.tokenUsageReport(this.db, query);
  }

  async budgetReading(user: string, day: string): Promise<BudgetReading> {
    return tokens.budgetReading(this.db, user, day);
  }

  async budgetOverrides(): Promise<UserBudgetOverride[]> {
    return tokens.budgetOverrides(this.db);
  }

  async setBudgetOverride(user: string, change: BudgetChange): Promise<BudgetOverride | undefined> {
    return tokens.setBudgetOverride(this.db, user, change);
  }

  async createShare(owner: string, conversationId: string, room?: QuotaRoom): Promise<ShareSummary | undefined> {
    const share = await buildShare(this, owner, conversationId, room);
    return share && shares.insertShare(this.db, owner, share) ? toShareSummary(share) : undefined;
  }

  async listShares(owner: string, conversationId?: string): Promise<ShareSummary[]> {
    return shares.listShares(this.db, owner, conversationId).map(toShareSummary);
  }

  async revokeShare(owner: string, id: string): Promise<boolean> {
    return shares.revokeShare(this.db, owner, id);
  }

  async sharedConversation(id: string): Promise<SharedConversation | undefined> {
    const row = shares.shareRow(this.db, id);
    return row && toSharedConversation(row);
  }

  async sharedImage(id: string, imageId: string): Promise<SharedImage | undefined> {
    return shares.sharedImage(this.db, id, imageId);
  }

  async copyShare(owner: string, id: string, room?: QuotaRoom): Promise<ConversationSummary | undefined> {
    const row = shares.shareRow(this.db, id);
    if (!row) return undefined;
    const copy = copyOfShare(row, shares.shareImages(this.db, id), room);
    shares.writeCopy(this.db, owner, copy);
    return toSummary(copy.conversation);
  }

  async activity(): Promise<UserActivity[]> {
    return admin.activityOf(this.db);
  }

  async appendAudit(entry: AuditEntry): Promise<number> {
    return admin.appendAudit(this.db, entry);
  }

  async auditLog(page: AuditPage): Promise<StoredAuditEntry[]> {
    return admin.auditLog(this.db, page);
  }
}
