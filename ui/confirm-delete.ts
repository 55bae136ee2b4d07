/**
 * The one question asked before a conversation is deleted, from the title bar or the list: a modal
 * dialog that keeps focus until answered (Cancel is the default; Esc cancels).
 */
import { byId } from "./dom.ts";

/** Asks whether to delete the conversation called `name`; true when the answer is Delete. */
export function confirmDelete(name: string): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>("confirm-delete");
  byId("delete-name").textContent = name;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    const closed = () => {
      // The close event comes a task after the dialog closes: one from an earlier showing can
      // arrive once this one is open again, and is not this one's answer.
      if (dialog.open) return;
      dialog.removeEventListener("close", closed);
      resolve(dialog.returnValue === "delete");
    };
    dialog.addEventListener("close", closed);
  });
}
