/** The sidebar's theme choice: System, Light or Dark (theme-apply.ts keeps and applies it). */
import { byId } from "./dom.ts";
import { chooseTheme, storedTheme, type ThemeChoice } from "./theme-apply.ts";

/** Wires `#theme` to the page's theme. */
export function setupThemeChoice(): void {
  const select = byId<HTMLSelectElement>("theme");
  select.value = storedTheme();
  select.addEventListener("change", () => chooseTheme(select.value as ThemeChoice));
}
