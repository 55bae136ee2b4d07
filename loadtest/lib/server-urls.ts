/**
 * Where the scenarios send their load, read from the environment: the same two settings, with the
 * same defaults (the native stack's ports), in every scenario.
 */
import { urlSetting } from "./settings.ts";

/** SLUICE_URL: Sluice's base URL (in the native stack: nginx in front of the app). */
export function sluiceUrlSetting(): string {
  return urlSetting("SLUICE_URL", "http://127.0.0.1:8080");
}

/**
 * SIM_URL: the simulator Sluice streams from; its origin serves /sim/stats (the app's internal
 * listener, METRICS_PORT, when the simulator is embedded in the app).
 */
export function simUrlSetting(): string {
  return urlSetting("SIM_URL", "http://127.0.0.1:3001");
}
