/**
 * A private nginx prefix folder: deploy/nginx/nginx.conf copied as it is, the templates rendered
 * into conf.d/ as the official image would, and room for pid, logs and temp files. nginx then runs
 * as the current user with `-p` and `-c` pointing here, never touching /etc/nginx.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderTemplate } from "./template.ts";
import { BALANCE, TEMPLATE_VARIABLES, type TemplateValues } from "./template-vars.ts";

const deployDir = new URL("../../deploy/nginx/", import.meta.url).pathname;

/** The shipped main configuration. */
export const NGINX_CONF = join(deployDir, "nginx.conf");
/** Rendered by every deployment. */
export const TEMPLATES_DIR = join(deployDir, "templates");
/** Rendered only when HTTPS is wanted (see deploy/README.md). */
export const TLS_TEMPLATES_DIR = join(deployDir, "tls");

export interface NginxPrefix {
  /** The prefix, with a trailing slash, as nginx's -p wants it. */
  dir: string;
  confPath: string;
  pidPath: string;
  errorLogPath: string;
}

/** `name.conf.template` → `name.conf`, as the official image's entrypoint names its output. */
/** `values` with the shipped balancing unless they pick one, as docker-compose.yml defaults it. */
const withDefaults = (values: TemplateValues): TemplateValues => ({ SLUICE_BALANCE: BALANCE.connections, ...values });

function renderFolder(from: string, into: string, values: TemplateValues): void {
  const all = withDefaults(values);
  for (const name of readdirSync(from).filter((file) => file.endsWith(".template"))) {
    const text = readFileSync(join(from, name), "utf8");
    writeFileSync(join(into, name.slice(0, -".template".length)), renderTemplate(text, all, TEMPLATE_VARIABLES));
  }
}

/** Renders one template of deploy/nginx/ (a path relative to it) with `values`. */
export function renderShippedTemplate(relativePath: string, values: TemplateValues): string {
  return renderTemplate(readFileSync(join(deployDir, relativePath), "utf8"), withDefaults(values), TEMPLATE_VARIABLES);
}

/**
 * Fills `dir` with nginx.conf and the rendered conf.d/. With `tls`, the HTTPS server block is
 * rendered too (NGINX_TLS_PORT, SLUICE_TLS_CERT and SLUICE_TLS_KEY must then be in `values`).
 */
export function writeNginxPrefix(dir: string, values: TemplateValues, options: { tls?: boolean } = {}): NginxPrefix {
  const prefix = dir.endsWith("/") ? dir : `${dir}/`;
  mkdirSync(join(prefix, "conf.d"), { recursive: true });
  copyFileSync(NGINX_CONF, join(prefix, "nginx.conf"));
  renderFolder(TEMPLATES_DIR, join(prefix, "conf.d"), values);
  if (options.tls) renderFolder(TLS_TEMPLATES_DIR, join(prefix, "conf.d"), values);
  return {
    dir: prefix,
    confPath: join(prefix, "nginx.conf"),
    pidPath: join(prefix, "nginx.pid"),
    errorLogPath: join(prefix, "error.log"),
  };
}
