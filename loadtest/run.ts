/**
 * Runs one load scenario: `bun loadtest/run.ts <name|path> [--summary-export file.json]`.
 * Settings come from the environment (see the top of each file in loadtest/scenarios/).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { relaunchWithFetchCap } from "../harness/stack/fetch-cap.ts";
import { EXIT_SCRIPT_ERROR, runScenario } from "./lib/runner.ts";
import type { ScenarioModule } from "./lib/scenario.ts";

const usage =
  "usage: bun loadtest/run.ts <ttft|streams|disconnect|resume|stop|chat|direct|gateway|responses|ui-chat|path.ts> [--summary-export file.json]";

function scenarioPath(argument: string): string {
  const named = new URL(`./scenarios/${argument}.ts`, import.meta.url).pathname;
  return existsSync(named) ? named : resolve(argument);
}

async function main(argv: string[]): Promise<number> {
  // Thousands of streams need Bun's fetch cap raised, which only a fresh process can do.
  const relaunched = await relaunchWithFetchCap();
  if (relaunched !== undefined) return relaunched;
  const [argument, ...rest] = argv;
  const exportAt = rest.indexOf("--summary-export");
  const summaryExport = exportAt >= 0 ? rest[exportAt + 1] : undefined;
  if (!argument || (exportAt >= 0 && !summaryExport)) {
    console.error(usage);
    return 2;
  }
  const path = scenarioPath(argument);
  if (!existsSync(path)) {
    console.error(`no scenario "${argument}"\n${usage}`);
    return 2;
  }
  const scenario = (await import(path)) as ScenarioModule;
  const name = argument.replace(/^.*\//, "").replace(/\.ts$/, "");
  return runScenario(name, scenario, summaryExport ? { summaryExport } : {});
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(EXIT_SCRIPT_ERROR);
  },
);
