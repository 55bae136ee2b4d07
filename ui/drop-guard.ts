/**
 * Files dragged over the page: wherever they are dropped, they are offered to the message box as
 * images to attach, never opened by the browser in place of the chat (its default for a drop
 * outside a drop target). The composer shows it is the target while files hover the page.
 */
import type { Attachments } from "./attachments.ts";
import { byId } from "./dom.ts";

const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes("Files") === true;

/** Guards the whole page: files dropped anywhere go to `attachments`. */
export function guardDrops(attachments: Attachments): void {
  const composer = byId("composer");
  // dragenter and dragleave fire for every element crossed: count them to know when files leave the page.
  let depth = 0;
  const reset = () => {
    depth = 0;
    delete composer.dataset.dropping;
  };
  document.addEventListener("dragenter", (event) => {
    if (!carriesFiles(event)) return;
    depth++;
    composer.dataset.dropping = "true";
  });
  document.addEventListener("dragleave", (event) => {
    if (carriesFiles(event) && --depth <= 0) reset();
  });
  document.addEventListener("dragover", (event) => {
    if (!carriesFiles(event)) return;
    // Without this, the drop would not be ours: the browser would open the file.
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
  });
  document.addEventListener("drop", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    reset();
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length > 0) void attachments.add(files);
  });
}
