/**
 * Single sign-on routes (AUTH=oidc): `GET /oidc/login` sends the browser to the provider with a
 * new attempt sealed in its pending-sign-in cookie (auth/oidc-pending.ts); `GET /oidc/callback` is
 * where the provider sends it back: the attempt is finished (auth/oidc-client.ts), the cookie
 * cleared whatever the outcome (an attempt is used once), and the person gets the same session
 * cookie as a token sign-in. Signing out is `DELETE /api/session` (session.ts).
 *
 * The callback answers with a small page that opens the return address itself, rather than a
 * redirect: a redirect would continue the provider's cross-site chain, and the SameSite=Strict
 * session cookie it just set would not be sent on it (the chat page would see nobody signed in).
 * A refused callback answers JSON with the status and the field at fault; a browser's navigation
 * (Sec-Fetch-Dest: document) is sent to the sign-in page, which says why.
 */
import { Elysia } from "elysia";
import { type Access, cookieValue } from "../auth/access.ts";
import type { OidcSignIn } from "../auth/oidc-client.ts";
import { OidcRefusedError } from "../auth/oidc-errors.ts";
import { pendingCookieName, safeReturnPath } from "../auth/oidc-pending.ts";
import { SluiceError } from "../errors.ts";
import { logInfo, logWarning } from "../log.ts";
import { cookie, overTls, sessionCookie } from "./cookies.ts";
import { contentSecurityPolicyValue } from "./csp.ts";
import { errorResponse } from "./error-response.ts";
import { requesterOf } from "./requester.ts";

export interface OidcRouteDeps {
  access: Access;
  oidc: OidcSignIn;
  publicUrl: string | undefined;
}

/** The page that takes the browser on to `path`, same-site, once its session cookie is set. */
function continuePage(path: string, headers: Headers): Response {
  const href = path.replaceAll("&", "&amp;");
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=${href}"><title>Signed in · Sluice</title></head><body><p><a href="${href}">Continue to Sluice</a></p></body></html>`;
  headers.set("content-type", "text/html; charset=utf-8");
  headers.set("content-security-policy", contentSecurityPolicyValue);
  return new Response(html, { status: 200, headers });
}

/** The refusal of a callback: JSON for a client, the sign-in page (saying why) for a browser's navigation. */
function refused(request: Request, error: SluiceError, headers: Headers): Response {
  if (request.headers.get("sec-fetch-dest") === "document") {
    headers.set("location", `/login?error=${encodeURIComponent(error.code)}`);
    return new Response(null, { status: 303, headers });
  }
  const response = errorResponse(error);
  for (const [name, value] of headers) response.headers.append(name, value);
  return response;
}

export function oidcRoutes({ access, oidc, publicUrl }: OidcRouteDeps) {
  const noStore = () => new Headers({ "cache-control": "no-store", "referrer-policy": "no-referrer" });
  return new Elysia({ name: "oidc" })
    .get("/oidc/login", async ({ request }) => {
      const returnTo = safeReturnPath(new URL(request.url).searchParams.get("return"));
      const headers = noStore();
      const started = await oidc.start(returnTo).catch((error: unknown) => {
        if (error instanceof SluiceError) return error;
        throw error;
      });
      if (started instanceof SluiceError) return refused(request, started, headers);
      const { url, pending } = started;
      const secure = overTls(request, publicUrl);
      const maxAgeSeconds = Math.floor((pending.expiresAt - Date.now()) / 1000);
      headers.append(
        "set-cookie",
        cookie(pendingCookieName(secure), oidc.pending.seal(pending), { maxAgeSeconds, secure, sameSite: "Lax" }),
      );
      headers.set("location", url.href);
      return new Response(null, { status: 303, headers });
    })
    .get("/oidc/callback", async ({ request }) => {
      const secure = overTls(request, publicUrl);
      const name = pendingCookieName(secure);
      const headers = noStore();
      headers.append("set-cookie", cookie(name, "", { maxAgeSeconds: 0, secure, sameSite: "Lax" }));
      const address = requesterOf(request).address;
      try {
        const pending = oidc.pending.open(cookieValue(request, name));
        if (!pending)
          throw new OidcRefusedError(
            "oidc_no_sign_in",
            "no sign-in was started in this browser, or it took longer than 10 minutes; sign in again",
            400,
            "state",
          );
        const person = await oidc.finish(new URL(request.url).searchParams, pending);
        const signedIn = access.sessions.issue(person.user, { admin: person.admin });
        const maxAge = Math.floor((signedIn.session.expiresAt - Date.now()) / 1000);
        headers.append("set-cookie", sessionCookie(signedIn.value, maxAge, secure));
        logInfo("signed in", { via: "oidc", user: person.user, admin: person.admin, address });
        return continuePage(pending.returnTo, headers);
      } catch (error) {
        if (!(error instanceof SluiceError)) throw error;
        logWarning("oidc sign-in refused", { code: error.code, field: error.field, address, reason: reasonOf(error) });
        return refused(request, error, headers);
      }
    });
}

/** The library's and the provider's own words behind a refusal, innermost last, for the log. */
function reasonOf(error: Error): string | undefined {
  const reasons: string[] = [];
  for (let cause = error.cause; cause instanceof Error && reasons.length < 4; cause = cause.cause)
    reasons.push(cause.message);
  return reasons.length > 0 ? reasons.join(": ") : undefined;
}
