/**
 * Why a sign-in through the OIDC provider was refused, as stable codes: each names the field at
 * fault (`state`, `code`, `id_token.aud`…). The provider's and the library's own words go to the
 * server log only. openid-client reports a failed check as a ClientError whose cause names the
 * claim; the provider's refusals come as ResponseBodyError (token endpoint) and
 * AuthorizationResponseError (the redirect back).
 */
import { AuthorizationResponseError, ClientError, ResponseBodyError } from "openid-client";
import { SluiceError } from "../errors.ts";

export type OidcRefusalCode =
  | "oidc_no_sign_in"
  | "oidc_state_mismatch"
  | "oidc_provider_refused"
  | "oidc_code_rejected"
  | "oidc_id_token_invalid"
  | "oidc_response_invalid"
  | "oidc_user_claim_missing"
  | "oidc_user_not_allowed";

export class OidcRefusedError extends SluiceError {
  override name = "OidcRefusedError";
  constructor(code: OidcRefusalCode, message: string, status: number, field: string, cause?: unknown) {
    super(code, message, status, { field, cause });
  }
}

/** The provider cannot be reached, or its discovery document is unusable: nobody can sign in now. */
export class OidcUnavailableError extends SluiceError {
  override name = "OidcUnavailableError";
  constructor(cause: unknown) {
    super("oidc_provider_unavailable", "the sign-in provider cannot be reached; try again shortly", 503, {
      cause,
      retryable: true,
      retryAfterSeconds: 5,
    });
  }
}

/** The claim a failed JWT check names (openid-client → oauth4webapi → `{claim}`), if any. */
function claimOf(error: ClientError): string | undefined {
  const inner = error.cause as { cause?: { claim?: unknown } } | undefined;
  const claim = inner?.cause?.claim;
  return typeof claim === "string" ? claim : undefined;
}

/** What a failure of the code exchange means for the person signing in. */
export function refusalOf(error: unknown): SluiceError {
  if (error instanceof SluiceError) return error;
  if (error instanceof AuthorizationResponseError)
    return new OidcRefusedError(
      "oidc_provider_refused",
      "the sign-in provider refused the sign-in",
      403,
      "error",
      error,
    );
  if (error instanceof ResponseBodyError)
    return new OidcRefusedError(
      "oidc_code_rejected",
      "the sign-in provider did not accept this sign-in's code (used already, or expired); sign in again",
      400,
      "code",
      error,
    );
  if (error instanceof ClientError) {
    const claim = claimOf(error);
    if (claim !== undefined)
      return new OidcRefusedError(
        "oidc_id_token_invalid",
        `the sign-in provider's ID token failed its "${claim}" check; sign in again`,
        401,
        `id_token.${claim}`,
        error,
      );
    return new OidcRefusedError(
      "oidc_response_invalid",
      "the sign-in provider's answer could not be verified; sign in again",
      400,
      "id_token",
      error,
    );
  }
  // fetch's own failures (a refused connection, a timeout): the provider is not there.
  return new OidcUnavailableError(error);
}
