/**
 * Signing in and out: `POST /api/session` exchanges an access token for a session cookie
 * (HttpOnly, SameSite=Strict, Secure behind TLS), `GET /api/session` says who is signed in,
 * `DELETE /api/session` signs out, and `GET /login` is the page that asks for the token.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Elysia, t } from "elysia";
import { type Access, SESSION_COOKIE } from "../auth/access.ts";
import { SluiceError } from "../errors.ts";
import { userOf } from "./requester.ts";

const SignInBody = t.Object({
  token: t.String({ minLength: 1, maxLength: 1_000, error: "must be your access token" }),
});

/** Whether the browser reached us over TLS (directly, or through a proxy that says so). */
function overTls(request: Request, publicUrl: string | undefined): boolean {
  return (
    publicUrl?.startsWith("https:") === true ||
    request.url.startsWith("https:") ||
    request.headers.get("x-forwarded-proto") === "https"
  );
}

function sessionCookie(value: string, maxAgeSeconds: number, secure: boolean): string {
  return [`${SESSION_COOKIE}=${value}`, "Path=/", "HttpOnly", "SameSite=Strict", `Max-Age=${maxAgeSeconds}`]
    .concat(secure ? ["Secure"] : [])
    .join("; ");
}

export interface SessionRouteDeps {
  access: Access;
  publicUrl: string | undefined;
  /** The folder of the built login page, when the UI is served. */
  publicDir: string | undefined;
}

export function sessionRoutes({ access, publicUrl, publicDir }: SessionRouteDeps) {
  const app = new Elysia({ name: "session" })
    .post(
      "/api/session",
      ({ body, request, set }) => {
        const signedIn = access.signIn(body.token);
        if (!signedIn) throw new SluiceError("invalid_token", "that access token is not valid here", 401);
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
    }))
    .delete("/api/session", async ({ request }) => {
      const session = access.sessionOf(request);
      if (session) await access.signOut(session);
      // A Response of our own: a 204 with Elysia's empty body is refused by Deno ("null body status").
      const headers = { "set-cookie": sessionCookie("", 0, overTls(request, publicUrl)) };
      return new Response(null, { status: 204, headers });
    });
  if (!publicDir) return app;
  const page = join(publicDir, "login.html");
  return app.get(
    "/login",
    async () => new Response(await readFile(page), { headers: { "content-type": "text/html; charset=utf-8" } }),
  );
}
