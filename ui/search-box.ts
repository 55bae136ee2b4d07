/**
 * The sidebar's search box: the list follows what is typed, a moment after the typing pauses
 * (one request per pause, not per key); Esc clears it and brings the whole list back.
 */
import { byId } from "./dom.ts";
import type { ConversationList } from "./sidebar.ts";

// Long enough to skip the keys of a word typed at speed, short enough to feel immediate.
const DEBOUNCE_MS = 200;

/** Wires `#search` to `list`. */
export function setupSearchBox(list: ConversationList): void {
  const input = byId<HTMLInputElement>("search");
  let timer: ReturnType<typeof setTimeout> | undefined;
  let applied = "";
  const apply = () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text === applied) return;
    applied = text;
    void list.search(text);
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(apply, DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // search now: there is no form to submit
      apply();
    } else if (event.key === "Escape" && input.value) {
      // This Esc clears the search; it neither closes the drawer nor stops an answer.
      event.preventDefault();
      event.stopPropagation();
      input.value = "";
      apply();
    }
  });
}
