/**
 * Named access tokens (`alice:s3cret,bob:t0ken`): what a person signs in with, and what API
 * clients send as `Authorization: Bearer <token>`. Tokens are kept only as SHA-256 digests, so
 * looking one up compares digests, never the secret itself, character by character.
 */
import { createHash } from "node:crypto";
import { ConfigError } from "../env-values.ts";

const USER_NAME = /^[A-Za-z0-9._@-]{1,64}$/;
// Short tokens can be guessed online; 16 characters of a random alphabet are plenty.
const MIN_TOKEN_LENGTH = 16;
// "aaaaaaaaaaaaaaaa" is 16 characters and one guess. A random hex token of 16 has fewer than 6
// different characters once in 40,000; a word or a pattern has few.
const MIN_DISTINCT_CHARACTERS = 6;

function digest(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export class AccessTokens {
  readonly #users = new Map<string, string>();

  /**
   * Parses `name:token` pairs separated by commas or lines; throws {@link ConfigError} for a bad
   * one, or a weak one (`checkStrength`, on unless a negative control turns it off).
   */
  constructor(pairs: string, variable = "AUTH_TOKENS", checkStrength = true) {
    for (const pair of pairs.split(/[,\n]/).map((item) => item.trim())) {
      if (pair === "" || pair.startsWith("#")) continue;
      const colon = pair.indexOf(":");
      const name = pair.slice(0, colon);
      const token = pair.slice(colon + 1);
      if (colon < 1 || !USER_NAME.test(name))
        throw new ConfigError(
          variable,
          `"${name || pair.slice(0, 20)}": expected name:token, names of A-Z a-z 0-9 . _ @ -`,
        );
      if (token.length < MIN_TOKEN_LENGTH)
        throw new ConfigError(variable, `the token of "${name}" is shorter than ${MIN_TOKEN_LENGTH} characters`);
      const distinct = new Set(token).size;
      if (checkStrength && distinct < MIN_DISTINCT_CHARACTERS)
        throw new ConfigError(
          variable,
          `the token of "${name}" has only ${distinct} different characters; use a random one (openssl rand -base64 32)`,
        );
      if (this.#users.has(digest(token))) throw new ConfigError(variable, `two users share one token ("${name}")`);
      this.#users.set(digest(token), name);
    }
  }

  /** The user a token belongs to, or undefined. */
  userOf(token: string): string | undefined {
    return this.#users.get(digest(token));
  }

  /** Whether `name` is one of the users (a sign-in that names one is throttled per name too). */
  has(name: string): boolean {
    for (const user of this.#users.values()) if (user === name) return true;
    return false;
  }

  get size(): number {
    return this.#users.size;
  }
}

/** A new random token: 32 bytes, base64url. */
export function generateToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}
