/**
 * The page's theme: light, dark, or the system's (the default), chosen in the sidebar and kept in
 * this browser's localStorage (`sluice.theme`). The chosen (or the system's) theme is set as
 * `data-theme` on the root, which the stylesheet reads, and picks the code colours' stylesheet.
 */
import { readStored, writeStored } from "./local-store.ts";

export type ThemeChoice = "system" | "light" | "dark";

const KEY = "sluice.theme";
const systemDark = () => matchMedia("(prefers-color-scheme: dark)").matches;

/** The choice kept in this browser; "system" when none. */
export function storedTheme(): ThemeChoice {
  const kept = readStored(KEY);
  return kept === "light" || kept === "dark" ? kept : "system";
}

/** Keeps `choice` and applies it. */
export function chooseTheme(choice: ThemeChoice): void {
  writeStored(KEY, choice === "system" ? "" : choice);
  applyTheme(choice);
}

/** Sets the page's theme for `choice`: the root's `data-theme` and the code colours in use. */
export function applyTheme(choice: ThemeChoice): void {
  const theme = choice === "system" ? (systemDark() ? "dark" : "light") : choice;
  const root = document.documentElement;
  root.dataset.theme = theme;
  root.dataset.themeChoice = choice;
  for (const link of document.querySelectorAll<HTMLLinkElement>("link[data-code-theme]")) {
    link.media = link.dataset.codeTheme === theme ? "all" : "not all";
  }
}

/** Applies the kept choice now, and again whenever the system's theme changes. */
export function followTheme(): void {
  applyTheme(storedTheme());
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => applyTheme(storedTheme()));
}
