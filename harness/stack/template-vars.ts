/**
 * The values for the variables of deploy/nginx/templates/*.template. docker-compose.yml sets the
 * same values for the nginx container (test/deploy checks that they agree).
 */

/** Every variable the templates may use; nothing else is substituted. */
export const TEMPLATE_VARIABLES = [
  "NGINX_PORT",
  "SLUICE_UPSTREAM",
  "SLUICE_UPSTREAM_MORE",
  "SLUICE_BALANCE",
  "NGINX_ACCESS_LOG",
  "SLUICE_STREAM_BUFFERING",
  "SLUICE_GZIP_TYPES",
  "SLUICE_IGNORE_HEADERS",
  "NGINX_TLS_PORT",
  "SLUICE_TLS_CERT",
  "SLUICE_TLS_KEY",
] as const;

/** The `server` line of one more app instance, as the template writes its first (no passive health check). */
export function upstreamServer(hostPort: string): string {
  return `server ${hostPort} max_fails=0;`;
}

/**
 * How nginx picks an instance (SLUICE_BALANCE): the fewest open connections (the default), or
 * each user on one instance, so that a viewer reads its answer where it runs.
 */
export const BALANCE = {
  connections: "least_conn",
  users: "hash $sluice_affinity consistent",
} as const;

export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];
export type TemplateValues = Partial<Record<TemplateVariable, string>>;

/** How the stream routes are proxied in production. */
export const STREAM_POLICY = {
  SLUICE_STREAM_BUFFERING: "off",
  // Static assets and JSON; text/html is always included by nginx. Never text/event-stream.
  SLUICE_GZIP_TYPES: "text/css text/javascript application/javascript application/json image/svg+xml",
  SLUICE_IGNORE_HEADERS: "X-Accel-Redirect",
} as const satisfies TemplateValues;

/**
 * The negative control: the same template with every safeguard against bunched tokens undone:
 * proxy buffering on, the app's "X-Accel-Buffering: no" ignored, and gzip on text/event-stream.
 * The e2e tests show their streaming checks fail against it.
 */
export const NEGATIVE_CONTROL = {
  SLUICE_STREAM_BUFFERING: "on",
  SLUICE_GZIP_TYPES: `${STREAM_POLICY.SLUICE_GZIP_TYPES} text/event-stream`,
  SLUICE_IGNORE_HEADERS: `${STREAM_POLICY.SLUICE_IGNORE_HEADERS} X-Accel-Buffering`,
} as const satisfies TemplateValues;

export type NginxVariant = "production" | "negative-control";

/** The stream policy of a variant. */
export function streamPolicy(variant: NginxVariant): TemplateValues {
  return variant === "negative-control" ? NEGATIVE_CONTROL : STREAM_POLICY;
}
