/**
 * Who a verified ID token (and the provider's userinfo) says signed in, and whether they may use
 * Sluice: the user is the claim OIDC_USER_CLAIM names (an email is kept in lower case: mailboxes
 * are compared so); the allow-list lets in users whose email's domain is in OIDC_ALLOWED_DOMAINS
 * or who are in one of OIDC_ALLOWED_GROUPS; members of OIDC_ADMIN_GROUPS are admins.
 *
 * An email the provider marks unverified (`email_verified: false`) neither names the user nor
 * passes the domain check: where people may type any address into their profile, it proves
 * nothing about who they are (OpenID Connect Core §5.7: email is not a stable identifier either).
 */
import type { OidcSettings } from "../auth-settings.ts";
import { USER_NAME } from "../auth-settings.ts";
import { OidcRefusedError } from "./oidc-errors.ts";

export type Claims = Record<string, unknown>;

export interface SignedInPerson {
  user: string;
  admin: boolean;
}

/** The verified email, in lower case, or undefined. */
function verifiedEmail(claims: Claims): string | undefined {
  const email = claims.email;
  if (typeof email !== "string" || claims.email_verified === false || !email.includes("@")) return undefined;
  return email.toLowerCase();
}

/** The groups claim as a list: providers send an array, a few a single string. */
function groupsOf(claims: Claims, name: string): string[] {
  const value = claims[name];
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((group): group is string => typeof group === "string") : [];
}

/** Whether `claims` lack something the policy reads, so that userinfo must be asked. */
export function needsUserinfo(claims: Claims, settings: OidcSettings): boolean {
  const readsGroups = settings.allowedGroups.length > 0 || settings.adminGroups.length > 0;
  const readsEmail = settings.userClaim === "email" || settings.allowedDomains.length > 0;
  return (
    claims[settings.userClaim] === undefined ||
    (readsGroups && claims[settings.groupsClaim] === undefined) ||
    (readsEmail && claims.email === undefined)
  );
}

/** The user and their role, or an {@link OidcRefusedError} naming what is missing or not allowed. */
export function personOf(claims: Claims, settings: OidcSettings): SignedInPerson {
  const email = verifiedEmail(claims);
  const named = settings.userClaim === "email" ? email : claims[settings.userClaim];
  const user = typeof named === "number" ? String(named) : named;
  if (typeof user !== "string" || !USER_NAME.test(user))
    throw new OidcRefusedError(
      "oidc_user_claim_missing",
      `the sign-in provider did not name you by a usable "${settings.userClaim}"`,
      403,
      `id_token.${settings.userClaim}`,
    );
  const groups = groupsOf(claims, settings.groupsClaim);
  const domain = email?.slice(email.lastIndexOf("@") + 1);
  const allowed =
    settings.allowAnyUser ||
    (domain !== undefined && settings.allowedDomains.includes(domain)) ||
    groups.some((group) => settings.allowedGroups.includes(group));
  if (!allowed)
    throw new OidcRefusedError(
      "oidc_user_not_allowed",
      `${user} may not use this Sluice; ask its operator to allow your domain or group`,
      403,
      "user",
    );
  return { user, admin: groups.some((group) => settings.adminGroups.includes(group)) };
}
