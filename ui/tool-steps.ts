/**
 * An answer's tool calls on the page: one collapsed line each (the tool's name and how the call
 * went) that opens onto its arguments and its result. Both are untrusted (the model wrote the
 * arguments, the tool's server the result): they are set as text, never parsed as HTML or
 * Markdown. Live, a call appears as soon as the model names it and its arguments grow as it
 * writes them; stored, the same view is built from the answer's steps.
 */
import type { StepEvent, ToolStep } from "../src/contract.ts";
import { h } from "./dom.ts";

type Status = ToolStep["status"] | "running";

const statusText: Record<Status, string> = {
  running: "Running…",
  ok: "Done",
  error: "Failed",
  cancelled: "Cancelled",
};

/** The parts of one call's line. */
interface StepParts {
  details: HTMLDetailsElement;
  status: HTMLElement;
  arguments: HTMLElement;
  result: HTMLElement;
  note: HTMLElement;
  argumentText: string;
}

/** JSON arguments, indented for reading; anything else as written. */
function readable(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

export class ToolStepsView {
  readonly element = h("div", { class: "tool-steps", role: "list", "aria-label": "Tool calls", hidden: true });
  readonly #steps = new Map<string, StepParts>();

  /** The view of a stored answer's steps. */
  static stored(steps: readonly ToolStep[]): ToolStepsView {
    const view = new ToolStepsView();
    for (const step of steps) {
      const parts = view.#add(step.call_id, step.name);
      parts.argumentText = step.arguments;
      view.#finish(parts, step.status, step.result, step.error?.code, step.full_bytes);
    }
    return view;
  }

  /** Takes one live step event. */
  apply(event: StepEvent): void {
    if (event.type === "tool_call") {
      this.#add(event.call_id, event.name);
      return;
    }
    const parts = this.#steps.get(event.call_id);
    if (!parts) return;
    if (event.type === "tool_arguments") {
      parts.argumentText += event.delta;
      parts.arguments.textContent = parts.argumentText;
      return;
    }
    const status = event.error ? "error" : "ok";
    this.#finish(parts, status, event.content, event.error?.code, event.full_bytes);
  }

  /** The answer ended: calls still running never got their result. */
  settle(): void {
    for (const parts of this.#steps.values())
      if (parts.details.dataset.status === "running") this.#finish(parts, "cancelled", "", undefined, undefined);
  }

  #add(callId: string, name: string): StepParts {
    const status = h("span", { class: "tool-step-status" }, statusText.running);
    const args = h("pre", { class: "tool-step-text" });
    const result = h("pre", { class: "tool-step-text" });
    const note = h("p", { class: "tool-step-note", hidden: true });
    const details = h(
      "details",
      { class: "tool-step", role: "listitem" },
      h("summary", {}, h("span", { class: "tool-step-name" }, name), status),
      h("p", { class: "tool-step-label" }, "Arguments"),
      args,
      h("p", { class: "tool-step-label" }, "Result"),
      result,
      note,
    );
    details.dataset.status = "running";
    const parts = { details, status, arguments: args, result, note, argumentText: "" };
    this.#steps.set(callId, parts);
    this.element.append(details);
    this.element.hidden = false;
    return parts;
  }

  #finish(parts: StepParts, status: Status, result: string, code?: string, fullBytes?: number): void {
    parts.details.dataset.status = status;
    parts.status.textContent = code ? `${statusText[status]} · ${code}` : statusText[status];
    parts.arguments.textContent = readable(parts.argumentText);
    parts.result.textContent = result;
    if (fullBytes !== undefined) {
      parts.note.textContent = `Cut: ${result.length} characters shown of ${fullBytes} bytes.`;
      parts.note.hidden = false;
    }
  }
}
