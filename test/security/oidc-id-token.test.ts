/**
 * The ID token's checks, each against a real provider that misbehaves in one way: a token for
 * another audience (re-signed with the provider's own key), a token already expired (the
 * provider's clock behind ours by more than its lifetime and the tolerance), a token issued in
 * the future (its clock ahead by more than OIDC_CLOCK_TOLERANCE_S). The bound is shown both ways:
 * each skew just inside the tolerance signs in (the negative controls).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { signInThroughProvider } from "../support/oidc-flow.ts";
import type { TestProviderOptions } from "../support/oidc-provider.ts";
import { type OidcTarget, startOidcTarget } from "./oidc-setup.ts";

const TOKEN_TTL_S = 60;
const TOLERANCE_S = 30;

/** A provider with `options` and an app pointed at it, for the tests of one describe block. */
function withProvider(options: Partial<TestProviderOptions>): () => OidcTarget {
  let target: OidcTarget;
  beforeAll(async () => {
    target = await startOidcTarget(
      { idTokenTtlSeconds: TOKEN_TTL_S, ...options },
      { OIDC_CLOCK_TOLERANCE_S: String(TOLERANCE_S) },
    );
  });
  afterAll(() => target?.stop());
  return () => target;
}

/** Signs alice in through the target's provider: 200, or the refusal's status, code and field. */
async function signIn(target: OidcTarget) {
  const { response } = await signInThroughProvider(target.app.url, "alice@example.com");
  if (response.status === 200) return { status: 200 };
  const { error } = (await response.json()) as { error: { code: string; field: string } };
  return { status: response.status, code: error.code, field: error.field };
}

const refusedFor = (field: string) => ({ status: 401, code: "oidc_id_token_invalid", field });

describe("an ID token for another audience", () => {
  const target = withProvider({ idTokenAudience: "another-client" });
  test("is refused, naming aud; the refusal is logged with the library's reason", async () => {
    expect(await signIn(target())).toEqual(refusedFor("id_token.aud"));
    expect(target().app.output()).toContain('"field":"id_token.aud"');
    expect(target().app.output()).toContain('unexpected JWT \\"aud\\" (audience) claim value');
  });
});

describe("an expired ID token (the provider's clock behind by its lifetime and more than the tolerance)", () => {
  const target = withProvider({ clockOffsetSeconds: -(TOKEN_TTL_S + TOLERANCE_S + 30) });
  test("is refused, naming exp", async () => {
    expect(await signIn(target())).toEqual(refusedFor("id_token.exp"));
  });
});

describe("negative control: expired by less than the tolerance", () => {
  const target = withProvider({ clockOffsetSeconds: -(TOKEN_TTL_S + TOLERANCE_S - 15) });
  test("signs in", async () => {
    expect(await signIn(target())).toEqual({ status: 200 });
  });
});

describe("an ID token issued in the future (the provider's clock ahead by more than the tolerance)", () => {
  const target = withProvider({ clockOffsetSeconds: TOLERANCE_S + 30 });
  test("is refused, naming iat", async () => {
    expect(await signIn(target())).toEqual(refusedFor("id_token.iat"));
  });
});

describe("negative control: the provider's clock ahead by less than the tolerance", () => {
  const target = withProvider({ clockOffsetSeconds: TOLERANCE_S - 15 });
  test("signs in", async () => {
    expect(await signIn(target())).toEqual({ status: 200 });
  });
});
