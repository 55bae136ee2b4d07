/**
 * Loaded into an app by test/http/unconfigured-packages.test.ts (`--preload`): writes the packages
 * whose modules are loaded (by name, from Bun's module cache) to LOADED_PACKAGES_FILE, every
 * tenth of a second, so that the test reads what a running app holds.
 */
import { writeFileSync } from "node:fs";

const file = process.env.LOADED_PACKAGES_FILE;

function loadedPackages(): string[] {
  const names = new Set<string>();
  // Bun's require.cache lists every loaded module, ES modules included.
  for (const path of Object.keys(require.cache)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
    if (name) names.add(name);
  }
  return [...names].sort();
}

if (file) setInterval(() => writeFileSync(file, JSON.stringify(loadedPackages())), 100).unref();
