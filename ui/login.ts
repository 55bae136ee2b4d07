/**
 * The sign-in page: exchanges an access token for a session cookie. A sign-in link carries the
 * token in the fragment (`/login#token=…`), which browsers never send to a server or a proxy's
 * log; the page reads it, signs in, and removes it from the address bar. The link works however it
 * arrives: opened, pasted into the address bar of this page (only the fragment changes), or pasted
 * into the token box. After signing in, the page goes where the person was headed: a conversation
 * link (`/#/c/<id>`) that sent them here keeps its fragment through the redirect, and a page that
 * sent them here to sign in (`?return=/admin`) is returned to. Someone already signed in goes there
 * at once. Under AUTH=oidc (the server marks the page's body `data-auth="oidc"`) the page offers the
 * provider's sign-in instead of the token, and says why a sign-in there was refused.
 */

const error = document.getElementById("sign-in-error") as HTMLElement;
const input = document.getElementById("token") as HTMLInputElement;

/** What a refused single sign-on means to the person (http/oidc.ts codes); never the server's own text. */
const SINGLE_SIGN_ON_REFUSALS: Record<string, string> = {
  oidc_user_not_allowed: "Your account may not use this Sluice. Ask its operator to allow your domain or group.",
  oidc_user_claim_missing: "The sign-in provider did not say who you are (a verified email). Ask the operator.",
  oidc_provider_unavailable: "The sign-in provider cannot be reached right now. Try again in a moment.",
  oidc_provider_refused: "The sign-in provider refused the sign-in.",
};
const SINGLE_SIGN_ON_FAILED = "The sign-in did not complete. Please try again.";

const params = new URLSearchParams(location.search);
const asked = params.get("return") ?? "";

/** Where to go once signed in: the page asked for (a path of this site), the conversation this page was reached from, else the chat. */
const destination = /^\/(?![/\\])/.test(asked)
  ? asked
  : /^#\/c\/[^/]+$/.test(location.hash)
    ? `/${location.hash}`
    : "/";

interface SignInError {
  code?: string;
  message?: string;
  /** Who this browser is signed in as, when the server refused to replace them (409). */
  user?: string;
}

/** Signed in (or kept signed in as before, when asked): undefined; else what went wrong. */
async function signIn(token: string, replace = false): Promise<string | undefined> {
  const response = await fetch("/api/session", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token, replace }),
  });
  if (response.ok) return undefined;
  const body = (await response.json().catch(() => undefined)) as { error?: SignInError } | undefined;
  // Someone else's link (any site can open /login#token=…) never silently replaces this browser's
  // user: ask, and stay signed in unless the person says otherwise.
  if (body?.error?.code === "signed_in_as_other" && !replace) {
    const switchUser = confirm(`You are signed in as ${body.error.user}. Sign out and use this token instead?`);
    return switchUser ? signIn(token, true) : undefined;
  }
  return body?.error?.message ?? `sign-in failed (${response.status})`;
}

function showError(message: string | undefined): void {
  error.textContent = message ?? "";
  error.hidden = message === undefined;
}

async function attempt(token: string): Promise<void> {
  showError(undefined);
  const failure = await signIn(token).catch(() => "the server cannot be reached");
  if (failure === undefined) location.replace(destination);
  else showError(`Not signed in: ${failure}.`);
}

/** The token of a sign-in link (`…/login#token=…`), or undefined when `text` is none. */
function tokenOfLink(text: string): string | undefined {
  const hash = text.includes("#") ? text.slice(text.indexOf("#") + 1) : "";
  return new URLSearchParams(hash).get("token") ?? undefined;
}

/** Signs in with the token in the address bar's fragment, if there is one, and clears it from there. */
function signInFromAddress(): boolean {
  const token = tokenOfLink(location.hash);
  if (!token) return false;
  history.replaceState(null, "", "/login");
  void attempt(token);
  return true;
}

/** The provider's button in place of the token form, and why the last attempt failed, if it did. */
function offerSingleSignOn(): void {
  const link = document.getElementById("single-sign-on") as HTMLAnchorElement;
  link.href = `/oidc/login?return=${encodeURIComponent(destination)}`;
  link.hidden = false;
  for (const id of ["sign-in-form", "token-hint"]) (document.getElementById(id) as HTMLElement).hidden = true;
  const code = params.get("error");
  if (code === null) return;
  const notice = document.getElementById("sign-in-notice") as HTMLElement;
  notice.textContent = SINGLE_SIGN_ON_REFUSALS[code] ?? SINGLE_SIGN_ON_FAILED;
  notice.hidden = false;
}

if (document.body.dataset.auth === "oidc") offerSingleSignOn();

window.addEventListener("hashchange", signInFromAddress);
if (!signInFromAddress()) {
  // Already signed in (or no sign-in needed here): the form has nothing to do.
  fetch("/api/session", { headers: { accept: "application/json" } })
    .then((response) => (response.ok ? (response.json() as Promise<{ user?: string }>) : undefined))
    .then((session) => {
      if (session?.user !== undefined) location.replace(destination);
    })
    .catch(() => {});
}

input.addEventListener("input", () => {
  showError(undefined);
  // A whole sign-in link pasted into the box: its token is what was meant.
  const token = tokenOfLink(input.value.trim());
  if (token) input.value = token;
});

document.getElementById("sign-in-form")?.addEventListener("submit", (event) => {
  event.preventDefault();
  void attempt(input.value.trim());
});
