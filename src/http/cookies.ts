/**
 * The cookies Sluice sets: the session (SameSite=Strict: no other site's page can make a request
 * that carries it) and the pending OIDC sign-in (SameSite=Lax: the provider's redirect back, a
 * cross-site top-level GET, must carry it). Both HttpOnly, on the whole site, Secure behind TLS.
 */
import { SESSION_COOKIE } from "../auth/access.ts";

/** Whether the browser reached us over TLS (directly, or through a proxy that says so). */
export function overTls(request: Request, publicUrl: string | undefined): boolean {
  return (
    publicUrl?.startsWith("https:") === true ||
    request.url.startsWith("https:") ||
    request.headers.get("x-forwarded-proto") === "https"
  );
}

/** A Set-Cookie value; a max age of 0 deletes the cookie. */
export function cookie(
  name: string,
  value: string,
  { maxAgeSeconds, secure, sameSite }: { maxAgeSeconds: number; secure: boolean; sameSite: "Strict" | "Lax" },
): string {
  return [`${name}=${value}`, "Path=/", "HttpOnly", `SameSite=${sameSite}`, `Max-Age=${maxAgeSeconds}`]
    .concat(secure ? ["Secure"] : [])
    .join("; ");
}

/** The session cookie (empty with a max age of 0: signed out). */
export function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return cookie(SESSION_COOKIE, value, { maxAgeSeconds, secure, sameSite: "Strict" });
}
