/**
 * The title bar's model badge: the model that will answer, or "unreachable" in a warning style
 * while the server's probe finds the model server silent (`upstream_reachable` of `/readyz`).
 * It asks again every little while, so the badge recovers without a reload.
 */
import { api } from "./api.ts";
import { byId } from "./dom.ts";

// The server probes at most every 15 s; asking more often would only read its cache.
const RECHECK_MS = 20_000;

export class ModelBadge {
  readonly #badge = byId("model-badge");
  readonly #text = byId("model");
  #model = "…";
  #reachable = true;
  #upstream = "";

  /** Reads readiness now and then every {@link RECHECK_MS} while the page is visible. */
  start(): void {
    void this.#check();
    setInterval(() => {
      if (document.visibilityState === "visible") void this.#check();
    }, RECHECK_MS);
  }

  /** The model the next answer will come from (undefined: the server's default). */
  setModel(model: string | undefined): void {
    if (model) this.#model = model;
    this.#render();
  }

  async #check(): Promise<void> {
    try {
      const ready = await api.readiness();
      if (this.#model === "…") this.#model = ready.model;
      this.#reachable = ready.upstream_reachable !== false;
      this.#upstream = ready.upstream;
      byId("demo-notice").hidden = ready.upstream !== "simulator";
    } catch {
      // Sluice itself does not answer: the model cannot either.
      this.#reachable = false;
    }
    this.#render();
  }

  #render(): void {
    this.#text.textContent = this.#reachable ? this.#model : "unreachable";
    this.#badge.classList.toggle("unreachable", !this.#reachable);
    this.#badge.title = !this.#reachable
      ? "The model server does not answer; new questions will fail until it is back."
      : this.#upstream === "simulator"
        ? "Built-in simulator"
        : `Model: ${this.#model}`;
  }
}
