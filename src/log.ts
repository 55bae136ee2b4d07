/**
 * Server log lines as JSON, with secrets masked: clients get stable codes and generic messages,
 * the details (an upstream's own error text, a stack) go here, and a key that appears in such a
 * detail (providers echo them in 401 bodies) never reaches the log in clear.
 */

const secrets = new Set<string>();
// API keys and bearer tokens as providers print them.
const SECRET_PATTERNS = [/\bsk-[A-Za-z0-9_-]{8,}/g, /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi];

/** Masks `value` wherever it appears in later log lines (call it for every secret the config holds). */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secrets.add(value);
}

/** `text` with every registered secret and every key-shaped string masked. */
export function mask(text: string): string {
  let masked = text;
  for (const secret of secrets) masked = masked.split(secret).join("…(masked)");
  for (const pattern of SECRET_PATTERNS) masked = masked.replace(pattern, "…(masked)");
  return masked;
}

function detail(value: unknown): string {
  if (value instanceof Error) {
    const cause = value.cause === undefined ? "" : ` (cause: ${detail(value.cause)})`;
    return `${value.name}: ${value.message}${cause}`;
  }
  return String(value);
}

/** One error line: what failed, and the masked detail of why. */
export function logError(msg: string, fields: Record<string, unknown> & { error?: unknown }): void {
  const { error, ...rest } = fields;
  const line = { level: "error", msg, ...rest, ...(error === undefined ? {} : { error: mask(detail(error)) }) };
  console.error(JSON.stringify(line));
}

/** One warning line (a refused attempt, a setting that needs attention), masked like an error. */
export function logWarning(msg: string, fields: Record<string, unknown>): void {
  console.warn(mask(JSON.stringify({ level: "warn", msg, ...fields })));
}

/** One information line (a sign-in, an admin's action), masked like an error. */
export function logInfo(msg: string, fields: Record<string, unknown>): void {
  console.log(mask(JSON.stringify({ level: "info", msg, ...fields })));
}
