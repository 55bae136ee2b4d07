/**
 * The page's entry: builds the parts, follows the address (#/c/<id>), shows which model answers
 * and whether it is reachable, and wires the keys that work everywhere (Esc stops).
 */
import { showAccount } from "./account.ts";
import { api } from "./api.ts";
import { Chat } from "./chat.ts";
import { Composer } from "./composer.ts";
import { byId } from "./dom.ts";
import { setupDrawer } from "./drawer.ts";
import { ExportMenu } from "./export-menu.ts";
import { InstructionsDialog } from "./instructions-dialog.ts";
import { ModelBadge } from "./model-badge.ts";
import { ModelPicker } from "./model-picker.ts";
import { setupSearchBox } from "./search-box.ts";
import { ConversationList } from "./sidebar.ts";
import { joinTabs } from "./tabs.ts";
import { TitleBar } from "./title-bar.ts";
import { UsageAndSharing } from "./usage-and-sharing.ts";

/** The conversation id in the address, or null for a new chat. */
function idFromAddress(): string | null {
  const match = /^#\/c\/([^/]+)$/.exec(location.hash);
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined;
function notify(text: string): void {
  const status = byId("status-line");
  status.textContent = text;
  status.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => {
    status.hidden = true;
  }, 6_000);
}

/** The open conversation's usage line and its Share dialog (usage-and-sharing.ts). */
const extras = new UsageAndSharing();

function start(): void {
  const list = new ConversationList();
  const drawer = setupDrawer();
  let chat: Chat | undefined;
  const composer = new Composer({
    send: (text, images) => void chat?.send(text, images),
    stop: () => chat?.stop(),
    notify,
  });
  const titleBar = new TitleBar({
    rename: (title) => chat?.rename(title) ?? Promise.resolve(),
    delete: () => chat?.delete() ?? Promise.resolve(),
  });
  const tabs = joinTabs((news) => void chat?.hear(news));
  const badge = new ModelBadge();
  const picker = new ModelPicker();
  picker.onChange = (model) => badge.setModel(model);
  const exportMenu = new ExportMenu();
  const opened = (id: string | null, created?: boolean) => {
    if (created && id) picker.adopt(id);
    else picker.show(id);
    exportMenu.show(id);
    extras.opened(id, created);
  };
  const instructions = new InstructionsDialog({
    current: () => chat?.instructions ?? null,
    save: (text) => chat?.saveInstructions(text) ?? Promise.resolve(),
    notify,
  });
  const instructionsChanged = () => instructions.mark();
  chat = new Chat({
    list,
    titleBar,
    composer,
    tabs,
    notify,
    opened,
    model: () => picker.chosen(),
    instructionsChanged,
  });
  const current = chat;

  window.addEventListener("hashchange", () => {
    drawer.close();
    void current.open(idFromAddress());
    composer.focus();
  });
  byId("new-chat").addEventListener("click", () => {
    drawer.close();
    if (location.hash) location.hash = "";
    else void current.open(null);
    composer.focus();
  });
  document.addEventListener("keydown", (event) => {
    // Esc stops the answer, unless it is closing something else (a dialog, the drawer, a rename).
    if (event.key === "Escape" && current.busy && !event.defaultPrevented && !document.querySelector("dialog[open]")) {
      current.stop();
    }
  });

  api
    .chatSettings()
    .then((settings) => {
      composer.configure(settings);
      instructions.configure(settings);
    })
    .catch(() => {});
  setupSearchBox(list);
  badge.start();
  void picker.load();
  void showAccount();
  void list.refresh();
  void current.open(idFromAddress());
  composer.focus();
}

start();
