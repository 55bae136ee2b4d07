/**
 * How the attacker suite recognises a leak, and the one scan that looks for one: the same for the
 * app on its own port (paths.test.ts) and behind nginx (nginx.test.ts). Each marker is content
 * that only the leaked thing holds; paths.test.ts shows every one of them firing when its thing
 * does leak, so that an empty scan means something.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { rawRequest } from "./raw-http.ts";

/** What leaked → content that only it holds. */
export type LeakMarkers = Record<string, string>;

const root = new URL("../../", import.meta.url).pathname;

/** The files above `public/` the scans ask for: the repository's own, and an app's data (DATA_DIR). */
export function secretFiles(dataDir: string): string[] {
  return ["package.json", `${dataDir}/sluice.db`, `${dataDir}/session-secret`];
}

/**
 * The markers for an app whose DATA_DIR is `dataDir` (relative to the repository root): fixed
 * content for the files and the internal routes, and the session secret's real value, read from
 * the file the app keeps it in (the value is random: no fixed text could recognise it).
 */
export function leakMarkers(dataDir: string): LeakMarkers {
  return {
    "package.json": '"name": "sluice"',
    "the database": "SQLite format 3",
    "the session secret": readFileSync(join(root, dataDir, "session-secret"), "utf8").trim(),
    "the metrics": "sluice_tokens_total",
    "the simulator's statistics": '"cancellations"',
  };
}

/** What `body` shows to have leaked, if anything. */
export function leaked(body: string, markers: LeakMarkers): string | undefined {
  return Object.entries(markers).find(([, marker]) => body.includes(marker))?.[0];
}

export interface LeakScan {
  /** Request targets, sent byte for byte. */
  targets: string[];
  /** Host headers to send each under (null: none). */
  hosts: (string | null)[];
  /** Header sets to send each with (anonymous, signed in…); default: none. */
  headerSets?: Record<string, string>[];
}

/** Sends every target under every Host and header set to `port`: each one that leaked, and what. */
export async function scanLeaks(port: number, scan: LeakScan, markers: LeakMarkers): Promise<string[]> {
  const leaks: string[] = [];
  for (const target of scan.targets) {
    for (const host of scan.hosts) {
      for (const headers of scan.headerSets ?? [{}]) {
        const what = leaked((await rawRequest(port, target, { host, headers })).body, markers);
        if (what) leaks.push(`${target} (Host: ${host}) → ${what}`);
      }
    }
  }
  return leaks;
}
