/**
 * How one environment value is parsed: each parser validates, falls back to its default when the
 * variable is unset or empty, and throws {@link ConfigError} naming the variable. Only config.ts
 * calls these.
 */
import { readFileSync } from "node:fs";

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

export type Env = Record<string, string | undefined>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

export function integer(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw new ConfigError(name, `expected a whole number, got "${value}"`);
  const number = Number(value);
  if (number < min || number > max) throw new ConfigError(name, `expected ${min}..${max}, got ${number}`);
  return number;
}

export function text(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

/** One of `choices`, or undefined when unset. */
export function choice<T extends string>(env: Env, name: string, choices: readonly T[]): T | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value))
    throw new ConfigError(name, `expected one of ${choices.join(", ")}, got "${value}"`);
  return value as T;
}

/** A comma-separated list; `fallback` (empty by default) when unset. */
export function list(env: Env, name: string, fallback: string[] = []): string[] {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  return value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

/** `true`/`1`/`yes` or `false`/`0`/`no`. */
export function flag(env: Env, name: string, fallback: boolean): boolean {
  const value = raw(env, name)?.toLowerCase();
  if (value === undefined) return fallback;
  if (["true", "1", "yes"].includes(value)) return true;
  if (["false", "0", "no"].includes(value)) return false;
  throw new ConfigError(name, `expected true or false, got "${value}"`);
}

export function url(env: Env, name: string): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("protocol");
  } catch {
    throw new ConfigError(name, `expected an http(s) URL, got "${value}"`);
  }
  return value.replace(/\/+$/, "");
}

/** Exact origins (`https://chat.example.com`), as browsers send them in `Origin`. */
export function origins(env: Env, name: string): string[] {
  return list(env, name).map((item) => {
    let origin: string;
    try {
      origin = new URL(item).origin;
    } catch {
      throw new ConfigError(name, `expected origins such as https://chat.example.com, got "${item}"`);
    }
    if (origin !== item) throw new ConfigError(name, `"${item}" is not an exact origin (did you mean ${origin}?)`);
    return origin;
  });
}

/** A file's text, for the `NAME_FILE` variants (Docker secrets). */
export function fileText(name: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (cause) {
    throw new ConfigError(name, `cannot read "${path}": ${(cause as Error).message}`);
  }
}

/** A secret from `NAME` or from the file named by `NAME_FILE`. */
export function secret(env: Env, name: string): string | undefined {
  const file = raw(env, `${name}_FILE`);
  if (file) return fileText(`${name}_FILE`, file).trim() || undefined;
  return raw(env, name);
}
