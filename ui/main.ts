/**
 * The page's entry: builds the parts, follows the address (#/c/<id>), shows which model answers
 * and whether it is reachable, and wires the keys that work everywhere (Esc stops; the shortcuts).
 */
import { showAccount } from "./account.ts";
import { api } from "./api.ts";
import { Chat } from "./chat.ts";
import { Composer } from "./composer.ts";
import { confirmDelete } from "./confirm-delete.ts";
import { type AdminParts, deleteConversation, renameConversation } from "./conversation-admin.ts";
import { byId } from "./dom.ts";
import { type Drawer, setupDrawer } from "./drawer.ts";
import { guardDrops } from "./drop-guard.ts";
import { ExportMenu } from "./export-menu.ts";
import { InstructionsDialog } from "./instructions-dialog.ts";
import { ModelBadge } from "./model-badge.ts";
import { ModelPicker } from "./model-picker.ts";
import { statusLine } from "./notices.ts";
import { setupSearchBox } from "./search-box.ts";
import { setupShortcuts } from "./shortcuts.ts";
import { ConversationList, conversationHref } from "./sidebar.ts";
import { followOtherDevices, followTab } from "./tab-follow.ts";
import { joinTabs } from "./tabs.ts";
import { setupThemeChoice } from "./theme.ts";
import { TitleBar } from "./title-bar.ts";
import { TitleMenu } from "./title-menu.ts";
import { ToolsToggle } from "./tools-toggle.ts";
import { UsageAndSharing } from "./usage-and-sharing.ts";

/**
 * The conversation in the address (`#/c/<id>`; null: a new chat), and the message to show it at
 * (`#/c/<id>/m/<message id>`: a search hit, on its branch).
 */
function fromAddress(): { id: string | null; at: string | undefined } {
  const match = /^#\/c\/([^/]+)(?:\/m\/([^/]+))?$/.exec(location.hash);
  const id = match?.[1] ? decodeURIComponent(match[1]) : null;
  return { id, at: id && match?.[2] ? decodeURIComponent(match[2]) : undefined };
}

/** Opens the conversation in the address; a message in it is shown once, then left out of the address. */
function openFromAddress(chat: Chat): Promise<void> {
  const { id, at } = fromAddress();
  if (id && at) history.replaceState(null, "", conversationHref(id));
  return chat.open(id, { at });
}

/** The parts that do not depend on the open conversation. */
function pageParts() {
  const badge = new ModelBadge();
  const picker = new ModelPicker();
  const titleMenu = new TitleMenu();
  picker.onChange = (model) => badge.setModel(model);
  badge.onChange = (text, warning) => titleMenu.setModel(text, warning);
  return {
    notices: statusLine(),
    list: new ConversationList(),
    drawer: setupDrawer(),
    badge,
    picker,
    exportMenu: new ExportMenu(),
    titleMenu,
    usageAndSharing: new UsageAndSharing(),
  };
}

type PageParts = ReturnType<typeof pageParts>;

/** The open conversation and the parts that act on it; they call each other, so they are made together. */
function conversationParts({ notices, list, picker, exportMenu, titleMenu, usageAndSharing }: PageParts) {
  const notify = notices.notify;
  let chat: Chat | undefined;
  const composer = new Composer({
    send: (text, images) => {
      notices.clear();
      void chat?.send(text, images);
    },
    stop: () => chat?.stop(),
    notify,
    editLast: () => chat?.edit(),
  });
  /** Deletes conversation `id`, the open one or another. */
  const remove = async (id: string | null | undefined) => {
    const open = id === chat?.conversationId;
    if (id) await deleteConversation(admin, id, open ? chat?.streamId : undefined, open);
  };
  const titleBar = new TitleBar({
    rename: async (title) => {
      const id = chat?.conversationId;
      if (id) await renameConversation(admin, id, title);
    },
    delete: () => remove(chat?.conversationId),
  });
  const tabs = joinTabs((news) => {
    if (chat) void followTab(news, { chat, list, titleBar, notify });
  });
  const admin: AdminParts = { list, composer, tabs, notify, titleBar };
  const instructions = new InstructionsDialog({
    save: async (text) => {
      const id = await (chat as Chat).saved();
      const saved = await api.setInstructions(id, text);
      void list.refresh();
      return chat?.conversationId === id ? saved.system_prompt : undefined;
    },
    notify,
  });
  const tools = new ToolsToggle(notify);
  chat = new Chat({
    ...admin,
    opened: async (id, created) => {
      if (created && id) picker.adopt(id);
      else picker.show(id);
      if (created && id) composer.adoptDraft(id);
      else composer.openDraft(id);
      exportMenu.show(id);
      titleMenu.show(id);
      // A new chat's choice of tools is stored before its first question is sent.
      if (created && id) await tools.adopt(id);
      else tools.show(id);
      usageAndSharing.opened(id, created);
    },
    model: () => picker.chosen(),
    loaded: (conversation) => {
      instructions.load(conversation?.system_prompt ?? null);
      if (!conversation) return;
      picker.stored(conversation.model);
      tools.loaded(conversation);
    },
    warn: notices.warn,
  });
  list.onDelete = async (id, title) => {
    if (await confirmDelete(title)) await remove(id);
    list.focus();
  };
  return { chat, composer, instructions, tools };
}

/** New chat, the address, Esc and the shortcuts. */
function wireNavigation(chat: Chat, composer: Composer, drawer: Drawer): void {
  const newChat = () => {
    drawer.close();
    if (location.hash) location.hash = "";
    else void chat.open(null);
    composer.focus();
  };
  window.addEventListener("hashchange", () => {
    drawer.close();
    void openFromAddress(chat);
    composer.focus();
  });
  byId("new-chat").addEventListener("click", newChat);
  document.addEventListener("keydown", (event) => {
    // Esc stops the answer, unless it is closing something else (a dialog, the drawer, a rename).
    if (event.key !== "Escape" || event.shiftKey || !chat.busy || event.defaultPrevented) return;
    if (!document.querySelector("dialog[open]")) chat.stop();
  });
  setupShortcuts({
    newChat,
    search: () => {
      drawer.open();
      byId("search").focus();
    },
    focusMessageBox: () => {
      drawer.close();
      composer.focus();
    },
  });
}

function start(): void {
  const page = pageParts();
  const { chat, composer, instructions, tools } = conversationParts(page);
  wireNavigation(chat, composer, page.drawer);
  api
    .chatSettings()
    .then((settings) => {
      composer.configure(settings);
      instructions.configure(settings);
      tools.configure(settings);
    })
    .catch(() => composer.configure());
  guardDrops(composer.attachments);
  setupSearchBox(page.list);
  setupThemeChoice();
  page.badge.start();
  void page.picker.load();
  void showAccount();
  void page.list.refresh();
  void openFromAddress(chat);
  followOtherDevices(chat);
  composer.focus();
}

start();
