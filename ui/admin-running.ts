/** The admin page's generations running now, on every instance, each with Stop. */
import { adminApi, type RunningGeneration } from "./admin-api.ts";
import type { UserActions } from "./admin-users.ts";
import { byId, h } from "./dom.ts";

async function stop(generation: RunningGeneration, actions: UserActions): Promise<void> {
  if (!confirm(`Stop the answer ${generation.owner} is getting from ${generation.model}?`)) return;
  try {
    await adminApi.stop(generation.id);
    actions.done(`Stopped an answer of ${generation.owner}.`);
  } catch (error) {
    actions.done("Could not stop it", error);
  }
}

function runningRow(generation: RunningGeneration, actions: UserActions): HTMLTableRowElement {
  const button = h("button", { type: "button", class: "danger" }, "Stop");
  button.addEventListener("click", () => void stop(generation, actions));
  return h(
    "tr",
    { "data-stream": generation.id },
    h("th", { scope: "row" }, generation.owner),
    h("td", {}, generation.model),
    h("td", {}, new Date(generation.started_at).toLocaleTimeString()),
    h("td", {}, generation.instance),
    h("td", { class: "mono" }, generation.id),
    h("td", { class: "actions" }, button),
  );
}

export async function showRunning(actions: UserActions): Promise<void> {
  const { generations } = await adminApi.running();
  const body = byId("running").querySelector("tbody") as HTMLTableSectionElement;
  body.replaceChildren(...generations.map((generation) => runningRow(generation, actions)));
  byId("running-empty").hidden = generations.length > 0;
}
