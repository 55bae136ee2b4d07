/**
 * The title bar's model badge: the model that will answer; "unreachable" in a warning style while
 * the server's probe finds the model server silent (`upstream_reachable` of `/readyz`); "offline"
 * while this device cannot reach Sluice at all (its own network, or Sluice itself, is down), which
 * is not the model's fault and reads differently. It asks again every little while, and at once
 * when the browser says the network came back, so the badge recovers without a reload.
 */
import { api } from "./api.ts";
import { byId } from "./dom.ts";

// The server probes at most every 15 s; asking more often would only read its cache.
const RECHECK_MS = 20_000;

type Reach = "ok" | "model-down" | "offline";

const warnings: Record<Exclude<Reach, "ok">, { text: string; title: string }> = {
  "model-down": {
    text: "unreachable",
    title: "Sluice is up, but the model server does not answer; new questions will fail until it is back.",
  },
  offline: {
    text: "offline",
    title: "This device cannot reach Sluice: the network is down, or Sluice is. Answers resume when it is back.",
  },
};

export class ModelBadge {
  readonly #badge = byId("model-badge");
  readonly #text = byId("model");
  #model = "…";
  #reach: Reach = "ok";
  #upstream = "";
  /** Told when the reach changes (the phone menu shows it too). */
  onChange: (text: string, warning: string | undefined) => void = () => {};

  /** Reads readiness now and then every {@link RECHECK_MS} while the page is visible. */
  start(): void {
    void this.#check();
    setInterval(() => {
      if (document.visibilityState === "visible") void this.#check();
    }, RECHECK_MS);
    window.addEventListener("online", () => void this.#check());
    window.addEventListener("offline", () => {
      this.#reach = "offline";
      this.#render();
    });
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
      this.#reach = ready.upstream_reachable === false ? "model-down" : "ok";
      this.#upstream = ready.upstream;
      byId("demo-notice").hidden = ready.upstream !== "simulator";
    } catch {
      // Sluice itself does not answer: that is this device's network (or Sluice), not the model.
      this.#reach = "offline";
    }
    this.#render();
  }

  #render(): void {
    const warning = this.#reach === "ok" ? undefined : warnings[this.#reach];
    this.#text.textContent = warning?.text ?? this.#model;
    this.#badge.classList.toggle("unreachable", warning !== undefined);
    this.#badge.dataset.reach = this.#reach;
    this.#badge.title =
      warning?.title ?? (this.#upstream === "simulator" ? "Built-in simulator" : `Model: ${this.#model}`);
    this.onChange(this.#text.textContent, warning?.title);
  }
}
