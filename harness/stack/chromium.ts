/**
 * Headless Chromium as the browser tests and the browser bench run it: Debian's binary through
 * playwright-core, with nothing in the background (no network of its own, no updates, no GPU).
 */
import { type Browser, chromium } from "playwright-core";

/** Launches Chromium headless and quiet; CHROMIUM_PATH overrides /usr/bin/chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-gpu",
    ],
  });
}
