/**
 * Scenario settings, read from the environment (the `__ENV` of a k6 script): each one is
 * declared once at the top of its scenario with a default and a one-line comment.
 */

type Env = Record<string, string | undefined>;

/** A setting that is present but cannot be read; names the variable. */
export class SettingError extends Error {
  override name = "SettingError";
  readonly code = "bad_setting";
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

function raw(name: string, env: Env): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/** A number (integer or decimal) from `name`, or `fallback` when unset. */
export function numberSetting(name: string, fallback: number, env: Env = process.env): number {
  const value = raw(name, env);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new SettingError(name, `expected a number ≥ 0, got "${value}"`);
  return parsed;
}

/** A string from `name`, or `fallback` when unset. */
export function textSetting(name: string, fallback: string, env: Env = process.env): string {
  return raw(name, env) ?? fallback;
}

/** A base URL from `name` without its trailing slash; an empty fallback means "not configured". */
export function urlSetting(name: string, fallback: string, env: Env = process.env): string {
  const value = raw(name, env) ?? fallback;
  if (value === "") return "";
  try {
    new URL(value);
  } catch {
    throw new SettingError(name, `expected a URL, got "${value}"`);
  }
  return value.replace(/\/+$/, "");
}
