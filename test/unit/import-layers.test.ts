/**
 * The import check of every TypeScript folder: the tree as it is passes, and the check fails
 * where it should. The negative controls run it on the real tree with a few files added or
 * changed in memory (a loop, an upward import, a file in no layer), never on disk.
 */
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkImports, typeScriptFiles } from "../../scripts/import-layers.ts";

const root = new URL("../../", import.meta.url).pathname;
const files = typeScriptFiles(root);

/** The check of the tree with `overlay` (file → content) in place of, or beside, the files on disk. */
function checkWith(overlay: Record<string, string>) {
  const all = [...new Set([...files, ...Object.keys(overlay)])];
  return checkImports(all, (file) => overlay[file] ?? readFileSync(join(root, file), "utf8"));
}

/** `file` as it is on disk, with `line` added at the top. */
const prepended = (file: string, line: string) => ({ [file]: `${line}\n${readFileSync(join(root, file), "utf8")}` });

test("the tree as it is: every TypeScript folder is checked and nothing is wrong", () => {
  const { graph, problems } = checkWith({});
  const folders = new Set([...graph.keys()].map((file) => file.split("/")[0]));
  expect([...folders].sort()).toEqual(["harness", "loadtest", "scripts", "src", "test", "ui"]);
  expect(problems).toEqual([]);
});

test("negative control: a loop between two scratch files is caught", () => {
  const { problems } = checkWith({
    "harness/scratch-a.ts": 'import { b } from "./scratch-b.ts";\nexport const a = () => b;',
    "harness/scratch-b.ts": 'import { a } from "./scratch-a.ts";\nexport const b = () => a;',
  });
  expect(problems).toEqual([
    expect.stringMatching(/^import cycle: .*harness\/scratch-[ab]\.ts.*harness\/scratch-[ab]\.ts/),
  ]);
});

test("negative control: a loop through existing files of one layer is caught", () => {
  const { problems } = checkWith(prepended("harness/client/api.ts", 'import "./chat.ts";'));
  expect(problems).toEqual([expect.stringMatching(/^import cycle: /)]);
  expect(problems[0]).toContain("harness/client/api.ts");
  expect(problems[0]).toContain("harness/client/chat.ts");
});

test("negative control: the harness importing a test or a bench, and the server the harness, run upward", () => {
  const { problems } = checkWith({
    ...prepended("harness/client/poll.ts", 'import "../../test/support/postgres.ts";'),
    ...prepended("harness/measure/epoch.ts", 'import "../../loadtest/lib/settings.ts";'),
    ...prepended("src/log.ts", 'import "../harness/measure/epoch.ts";'),
    ...prepended("scripts/build-ui.ts", 'import "../loadtest/lib/settings.ts";'),
  });
  expect(problems.sort()).toEqual([
    "harness/client/poll.ts imports upward: test/support/postgres.ts",
    "harness/measure/epoch.ts imports upward: loadtest/lib/settings.ts",
    "scripts/build-ui.ts imports upward: loadtest/lib/settings.ts",
    "src/log.ts imports upward: harness/measure/epoch.ts",
  ]);
});

test("negative control: a file in no layer, and an import of a file that is not there", () => {
  const { problems } = checkWith({ "docs/stray.ts": 'import "../harness/missing.ts";' });
  expect(problems.sort()).toEqual([
    "docs/stray.ts imports harness/missing.ts, which is not a source file here",
    "docs/stray.ts: in no layer; add its folder to LAYERS in scripts/import-layers.ts",
  ]);
});
