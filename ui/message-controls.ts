/**
 * What a message on the page offers beside its text, set again whenever its place changes: `< n/m >`
 * between its versions, the model that wrote an answer (beside its figures), Continue for a cut-off
 * answer (always in view), Retry in a failed answer's problem, and Regenerate (every answer) and
 * Edit (every question) beside Copy.
 */

import { branchNav } from "./branch-nav.ts";
import { h } from "./dom.ts";
import type { MessageParts } from "./message-view.ts";

export interface MessageControls {
  /** `< position/count >`, shown when count > 1. */
  versions?: { position: number; count: number; go(step: -1 | 1): void } | undefined;
  /** The model that wrote the answer. */
  model?: string | undefined;
  regenerate?: (() => void) | undefined;
  edit?: (() => void) | undefined;
  /** Continue a cut-off answer. */
  continueIt?: (() => void) | undefined;
}

function actionButton(label: string, name: string, action: () => void, style = "quiet"): HTMLButtonElement {
  const button = h("button", { type: "button", class: `button ${style} small`, "aria-label": label }, name);
  button.addEventListener("click", action);
  return button;
}

/** The controls of one message's parts, which it replaces each time they are set. */
export class ControlSlots {
  readonly #parts: MessageParts;
  readonly #role: "user" | "assistant" | "system";
  #added: HTMLElement[] = [];

  constructor(parts: MessageParts, role: "user" | "assistant" | "system") {
    this.#parts = parts;
    this.#role = role;
  }

  /** Shows `controls` in place of the ones set before. */
  set(controls: MessageControls): void {
    for (const element of this.#added) element.remove();
    this.#added = [];
    const footer = this.#parts.meta.parentElement;
    const actions = footer?.querySelector(".message-actions");
    if (!footer || !actions) return;
    const { versions, model, regenerate, edit, continueIt } = controls;
    if (versions && versions.count > 1)
      this.#add(branchNav({ role: this.#role, ...versions }), (e) => footer.prepend(e));
    if (model)
      this.#add(h("span", { class: "answer-model", title: "The model that wrote this answer" }, model), (e) =>
        this.#parts.meta.after(e),
      );
    // Continue is what to do next with a cut-off answer: always in view, not only on hover.
    if (continueIt)
      this.#add(actionButton("Continue this answer where it stopped", "Continue", continueIt, "continue-button"), (e) =>
        actions.before(e),
      );
    if (regenerate)
      this.#add(actionButton("Regenerate this answer", "Regenerate", regenerate), (e) => actions.append(e));
    if (edit) this.#add(actionButton("Edit this message and continue from it", "Edit", edit), (e) => actions.append(e));
  }

  /** Focuses this message's `< >` button that steps by `step`, if it has one. */
  focusStep(step: -1 | 1): void {
    this.#parts.article.querySelector<HTMLElement>(`.branch-nav [data-step="${step}"]`)?.focus();
  }

  #add(element: HTMLElement, place: (element: HTMLElement) => void): void {
    place(element);
    this.#added.push(element);
  }
}
