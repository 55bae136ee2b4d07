// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are envsubst syntax, not template literals.
/**
 * The nginx stand-in's template step (deploy/stand-ins/nginx), run here without Docker: with the
 * compose file's environment it renders the shipped templates exactly as the native stack does
 * (harness/stack/template.ts, which the e2e tests run behind the real nginx), and it leaves alone
 * every name its filter does not admit.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "bun";
import { renderTemplate } from "../../harness/stack/template.ts";
import { TEMPLATE_VARIABLES } from "../../harness/stack/template-vars.ts";
import { composeConfig, service } from "./compose-file.ts";

const root = new URL("../../", import.meta.url).pathname;
const script = `${root}deploy/stand-ins/nginx/docker-entrypoint.d/20-render-templates.sh`;
const templates = `${root}deploy/nginx/templates`;
const outputs: string[] = [];

afterAll(() => {
  for (const output of outputs) rmSync(output, { recursive: true, force: true });
});

/** Runs the stand-in's script on the shipped templates with `env`; the rendered files by name. */
function render(env: Record<string, string>): Record<string, string> {
  const output = mkdtempSync(join(tmpdir(), "sluice-stand-in-render-"));
  outputs.push(output);
  const result = spawnSync(["sh", script], {
    env: {
      PATH: process.env.PATH ?? "",
      NGINX_ENVSUBST_TEMPLATE_DIR: templates,
      NGINX_ENVSUBST_OUTPUT_DIR: output,
      ...env,
    },
    stderr: "pipe",
  });
  expect(result.exitCode, result.stderr.toString()).toBe(0);
  return Object.fromEntries(readdirSync(output).map((name) => [name, readFileSync(join(output, name), "utf8")]));
}

describe("the nginx stand-in renders templates as the official image documents", () => {
  const environment = service(composeConfig(), "nginx").environment ?? {};

  test("with the compose file's environment: what the native stack renders, file by file", () => {
    const rendered = render({ ...environment, UNRELATED: "never substituted" });
    const names = readdirSync(templates).filter((name) => name.endsWith(".template"));
    expect(Object.keys(rendered).sort()).toEqual(names.map((name) => name.replace(/\.template$/, "")).sort());
    for (const name of names) {
      const expected = renderTemplate(readFileSync(join(templates, name), "utf8"), environment, TEMPLATE_VARIABLES);
      expect(rendered[name.replace(/\.template$/, "")], name).toBe(expected);
    }
    // nginx's own variables are left for nginx.
    expect(rendered["sluice.conf"]).toContain("$request_id");
  });

  test("a name outside NGINX_ENVSUBST_FILTER stays as written", () => {
    const rendered = render({ ...environment, NGINX_ENVSUBST_FILTER: "^NGINX_" });
    expect(rendered["sluice.conf"]).toContain("${SLUICE_UPSTREAM}");
    expect(rendered["sluice.conf"]).not.toContain("${NGINX_PORT}");
  });

  test("a name the environment does not define stays as written", () => {
    const { SLUICE_UPSTREAM: _left, ...rest } = environment;
    expect(render(rest)["sluice.conf"]).toContain("${SLUICE_UPSTREAM}");
  });
});
