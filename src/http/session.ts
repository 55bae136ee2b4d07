/**
 * Signing in and out: `POST /api/session` exchanges an access token for a session cookie
 * (HttpOnly, SameSite=Strict, Secure behind TLS), `GET /api/session` says who is signed in,
 * `DELETE /api/session` signs out (under AUTH=oidc it also names the provider's sign-out page,
 * when it has one), and `GET /login` is the sign-in page (a token, or the provider's button).
 *
 * A sign-in never silently replaces another signed-in user: any site can send a browser to
 * `/login#token=<its own token>`, and the page signs in with what the link carries; without this
 * check the victim's next question would land in the attacker's history (login CSRF). It takes
 * `replace: true`, which the page sends only after asking.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Elysia, t } from "elysia";
import type { Access } from "../auth/access.ts";
import { attemptKeys, type SignInThrottle } from "../auth/sign-in-throttle.ts";
import { SluiceError } from "../errors.ts";
import { overTls, sessionCookie } from "./cookies.ts";
import { requesterOf, userOf } from "./requester.ts";

const SignInBody = t.Object({
  token: t.String({ minLength: 1, maxLength: 1_000, error: "must be your access token" }),
  replace: t.Optional(t.Boolean({ error: "must be true or false" })),
});

class SignedInAsOtherError extends SluiceError {
  override name = "SignedInAsOtherError";
  constructor(readonly user: string) {
    super("signed_in_as_other", `this browser is signed in as ${user}; confirm to switch users`, 409);
  }

  override toJSON() {
    const body = super.toJSON();
    return { error: { ...body.error, user: this.user } };
  }
}

export interface SessionRouteDeps {
  access: Access;
  publicUrl: string | undefined;
  /** The folder of the built login page, when the UI is served. */
  publicDir: string | undefined;
  /** Slows down token guessing; absent only in a negative control. */
  throttle?: SignInThrottle | undefined;
  /** Refuse to replace another signed-in user without `replace: true` (off only in a negative control). */
  replaceGuard?: boolean;
}

/** The session for `token`, or 401 (counted against the address, and the name it claims); 429 once too many failed. */
function signIn({ access, throttle }: SessionRouteDeps, request: Request, token: string) {
  const keys = attemptKeys(requesterOf(request).address, access.claimedUser(token));
  throttle?.check(keys);
  const signedIn = access.signIn(token);
  if (signedIn) return signedIn;
  throttle?.fail(keys, "sign_in");
  throw new SluiceError("invalid_token", "that access token is not valid here", 401);
}

export function sessionRoutes(deps: SessionRouteDeps) {
  const { access, publicUrl, publicDir, replaceGuard = true } = deps;
  const app = new Elysia({ name: "session" })
    .post(
      "/api/session",
      ({ body, request, set }) => {
        const signedIn = signIn(deps, request, body.token);
        const current = access.sessionOf(request);
        if (replaceGuard && current && current.user !== signedIn.session.user && body.replace !== true)
          throw new SignedInAsOtherError(current.user);
        const maxAge = Math.floor((signedIn.session.expiresAt - Date.now()) / 1000);
        set.headers["set-cookie"] = sessionCookie(signedIn.value, maxAge, overTls(request, publicUrl));
        return { user: signedIn.session.user, mode: access.mode };
      },
      { body: SignInBody },
    )
    .get("/api/session", ({ request }) => ({
      user: userOf(request),
      mode: access.mode,
      // Only a session can be signed out; a proxy's user or AUTH=none has nothing to end.
      canSignOut: access.sessionOf(request) !== undefined,
      admin: requesterOf(request).admin === true,
    }))
    .delete("/api/session", async ({ request }) => {
      const session = access.sessionOf(request);
      if (session) await access.signOut(session);
      const headers = { "set-cookie": sessionCookie("", 0, overTls(request, publicUrl)) };
      // The provider's session too, where it offers a sign-out page: the browser goes there next.
      const endSession = await access.oidc?.endSessionUrl();
      if (endSession) return Response.json({ end_session_url: endSession }, { headers });
      // A Response of our own: a 204 with Elysia's empty body is refused by Deno ("null body status").
      return new Response(null, { status: 204, headers });
    });
  if (!publicDir) return app;
  const page = join(publicDir, "login.html");
  // The page offers what the mode signs in with: a token, or the OIDC provider (ui/login.ts).
  const marked = (html: string) => html.replace("<body>", `<body data-auth="${access.mode}">`);
  return app.get(
    "/login",
    async () =>
      new Response(marked(await readFile(page, "utf8")), { headers: { "content-type": "text/html; charset=utf-8" } }),
  );
}
