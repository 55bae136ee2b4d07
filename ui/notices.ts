/**
 * The line above the message box that tells what just happened: a notice fades after a few
 * seconds; a warning (a question that was not sent, and why) stays until the next question or
 * notice, so it is not missed.
 */
import { byId } from "./dom.ts";

const NOTICE_MS = 6_000;

export interface Notices {
  /** Says `text` for a few seconds. */
  notify(text: string): void;
  /** Says `text` until {@link clear} or the next notice. */
  warn(text: string): void;
  clear(): void;
}

/** The notices of `#status-line`. */
export function statusLine(): Notices {
  const line = byId("status-line");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const show = (text: string, warning: boolean) => {
    clearTimeout(timer);
    line.textContent = text;
    line.classList.toggle("warning", warning);
    line.hidden = false;
  };
  const clear = () => {
    clearTimeout(timer);
    line.hidden = true;
  };
  return {
    notify(text) {
      show(text, false);
      timer = setTimeout(clear, NOTICE_MS);
    },
    warn: (text) => show(text, true),
    clear,
  };
}
