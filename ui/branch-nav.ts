/**
 * `< 2/3 >` under a message that has versions (Regenerate and Edit keep the earlier ones): two
 * buttons and the position, by mouse, by keyboard (Tab to a button, Enter or Space; the arrows
 * while in it), and for screen readers (the group is named "Answer 2 of 3", and a switch is
 * announced). A button at an end says so (aria-disabled) rather than being disabled, so focus
 * stays on it.
 */
import { h } from "./dom.ts";

const PREVIOUS = `<svg aria-hidden="true" viewBox="0 0 20 20" width="16" height="16"><path d="M12 5l-5 5 5 5" /></svg>`;
const NEXT = `<svg aria-hidden="true" viewBox="0 0 20 20" width="16" height="16"><path d="M8 5l5 5-5 5" /></svg>`;

export interface BranchNavOptions {
  role: "user" | "assistant" | "system";
  /** 1-based. */
  position: number;
  count: number;
  /** Shows the version `step` places away (-1: the one before, 1: the one after). */
  go(step: -1 | 1): void;
}

const nounOf = (role: BranchNavOptions["role"]) => (role === "user" ? "question" : "answer");

/** What a screen reader hears of version `position` of `count`: "Answer 2 of 3". */
export function versionLabel(role: BranchNavOptions["role"], position: number, count: number): string {
  const noun = nounOf(role);
  return `${noun.charAt(0).toUpperCase()}${noun.slice(1)} ${position} of ${count}`;
}

function stepButton(step: -1 | 1, noun: string, atEnd: boolean): HTMLButtonElement {
  const label = step < 0 ? `Previous ${noun}` : `Next ${noun}`;
  const button = h("button", {
    type: "button",
    class: "icon-button branch-step",
    "aria-label": label,
    title: label,
    "data-step": String(step),
    "aria-disabled": atEnd ? "true" : undefined,
  });
  // The page's own constant markup: a chevron.
  button.innerHTML = step < 0 ? PREVIOUS : NEXT;
  return button;
}

/** The `< position/count >` control. */
export function branchNav({ role, position, count, go }: BranchNavOptions): HTMLElement {
  const noun = nounOf(role);
  const group = h("div", { class: "branch-nav", role: "group", "aria-label": versionLabel(role, position, count) });
  const previous = stepButton(-1, noun, position <= 1);
  const next = stepButton(1, noun, position >= count);
  group.append(previous, h("span", { class: "branch-position", "aria-hidden": "true" }, `${position}/${count}`), next);
  const step = (by: -1 | 1) => {
    if ((by < 0 && position > 1) || (by > 0 && position < count)) go(by);
  };
  group.addEventListener("click", (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>("button[data-step]");
    if (button) step(button.dataset.step === "-1" ? -1 : 1);
  });
  group.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    event.preventDefault();
    step(event.key === "ArrowLeft" ? -1 : 1);
  });
  return group;
}

let announcer: HTMLElement | undefined;

/** Says `text` to screen readers (a polite live region), e.g. the version a switch shows. */
export function announce(text: string): void {
  announcer ??= document.body.appendChild(
    h("p", { id: "branch-announcer", class: "visually-hidden", "aria-live": "polite", role: "status" }),
  );
  // Emptied first: the same words again (a switch back) are announced again.
  announcer.textContent = "";
  requestAnimationFrame(() => {
    if (announcer) announcer.textContent = text;
  });
}
