/**
 * What a conversation store keeps beside the conversations: the token ledger and budgets, share
 * links, and the admin page's reads and audit log. The calls are the same on both engines and
 * only their SQL differs, so one class holds them for either engine's database handle and queries
 * (sqlite-token-usage.ts, sqlite-shares.ts, sqlite-admin.ts, or their postgres- twins); the engines'
 * stores (sqlite.ts, postgres.ts) extend it. A share link is a snapshot built from the store's own
 * reads of the tree, its messages and their images, which the store supplies. The SQLite store
 * runs in a worker thread that looks a called method up on the store object
 * (sqlite-worker-thread.ts), so the methods inherited from here are reached like its own.
 */
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
import { toSummary } from "./conversation-rows.ts";
import type { StoredImage } from "./images.ts";
import {
  buildShare,
  copyOfShare,
  type ShareCopy,
  type ShareSource,
  toSharedConversation,
  toShareSummary,
} from "./share-snapshot.ts";
import type {
  NewShare,
  QuotaRoom,
  SharedConversation,
  SharedImage,
  ShareLinkStore,
  ShareRow,
  ShareSummary,
} from "./shares.ts";
import type { ConversationTree, StoredMessage } from "./store.ts";

/** SQLite's queries answer at once, PostgreSQL's through a promise; every call here awaits either. */
type Answer<T> = T | Promise<T>;

/** One engine's SQL for the side tables, each query taking the engine's database handle first. */
export interface SideTableQueries<Db> {
  addTokenUsage(db: Db, entries: UsageEntry[]): Answer<void>;
  tokenUsageReport(db: Db, query: UsageQuery): Answer<UsageRow[]>;
  budgetReading(db: Db, user: string, day: string): Answer<BudgetReading>;
  budgetOverrides(db: Db): Answer<UserBudgetOverride[]>;
  setBudgetOverride(db: Db, user: string, change: BudgetChange): Answer<BudgetOverride | undefined>;
  insertShare(db: Db, owner: string, share: NewShare): Answer<boolean>;
  listShares(db: Db, owner: string, conversationId?: string): Answer<Omit<ShareRow, "messages">[]>;
  revokeShare(db: Db, owner: string, id: string): Answer<boolean>;
  shareRow(db: Db, id: string): Answer<ShareRow | undefined>;
  sharedImage(db: Db, id: string, imageId: string): Answer<SharedImage | undefined>;
  shareImages(db: Db, id: string): Answer<SharedImage[]>;
  writeCopy(db: Db, owner: string, copy: ShareCopy): Answer<void>;
  activityOf(db: Db): Answer<UserActivity[]>;
  appendAudit(db: Db, entry: AuditEntry): Answer<number>;
  auditLog(db: Db, page: AuditPage): Answer<StoredAuditEntry[]>;
}

export abstract class SideTables<Db> implements TokenUsageStore, ShareLinkStore, AdminStore, ShareSource {
  readonly #queries: SideTableQueries<Db>;

  constructor(
    protected readonly db: Db,
    queries: SideTableQueries<Db>,
  ) {
    this.#queries = queries;
  }

  abstract tree(owner: string, id: string): Promise<ConversationTree | undefined>;
  abstract messages(owner: string, id: string, ids: string[]): Promise<StoredMessage[]>;
  abstract imagesOf(owner: string, conversationId: string, messageIds: string[]): Promise<StoredImage[]>;

  async addTokenUsage(entries: UsageEntry[]): Promise<void> {
    await this.#queries.addTokenUsage(this.db, entries);
  }

  async tokenUsageReport(query: UsageQuery): Promise<UsageRow[]> {
    return this.#queries.tokenUsageReport(this.db, query);
  }

  async budgetReading(user: string, day: string): Promise<BudgetReading> {
    return this.#queries.budgetReading(this.db, user, day);
  }

  async budgetOverrides(): Promise<UserBudgetOverride[]> {
    return this.#queries.budgetOverrides(this.db);
  }

  async setBudgetOverride(user: string, change: BudgetChange): Promise<BudgetOverride | undefined> {
    return this.#queries.setBudgetOverride(this.db, user, change);
  }

  async createShare(owner: string, conversationId: string, room?: QuotaRoom): Promise<ShareSummary | undefined> {
    const share = await buildShare(this, owner, conversationId, room);
    return share && (await this.#queries.insertShare(this.db, owner, share)) ? toShareSummary(share) : undefined;
  }

  async listShares(owner: string, conversationId?: string): Promise<ShareSummary[]> {
    return (await this.#queries.listShares(this.db, owner, conversationId)).map(toShareSummary);
  }

  async revokeShare(owner: string, id: string): Promise<boolean> {
    return this.#queries.revokeShare(this.db, owner, id);
  }

  async sharedConversation(id: string): Promise<SharedConversation | undefined> {
    const row = await this.#queries.shareRow(this.db, id);
    return row && toSharedConversation(row);
  }

  async sharedImage(id: string, imageId: string): Promise<SharedImage | undefined> {
    return this.#queries.sharedImage(this.db, id, imageId);
  }

  async copyShare(owner: string, id: string, room?: QuotaRoom): Promise<ConversationSummary | undefined> {
    const row = await this.#queries.shareRow(this.db, id);
    if (!row) return undefined;
    const copy = copyOfShare(row, await this.#queries.shareImages(this.db, id), room);
    await this.#queries.writeCopy(this.db, owner, copy);
    return toSummary(copy.conversation);
  }

  async activity(): Promise<UserActivity[]> {
    return this.#queries.activityOf(this.db);
  }

  async appendAudit(entry: AuditEntry): Promise<number> {
    return this.#queries.appendAudit(this.db, entry);
  }

  async auditLog(page: AuditPage): Promise<StoredAuditEntry[]> {
    return this.#queries.auditLog(this.db, page);
  }
}
