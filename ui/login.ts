/**
 * The sign-in page: exchanges an access token for a session cookie. A sign-in link carries the
 * token in the fragment (`/login#token=…`), which browsers never send to a server or a proxy's
 * log; the page reads it, signs in, and removes it from the address bar. The link works however it
 * arrives: opened, pasted into the address bar of this page (only the fragment changes), or pasted
 * into the token box. After signing in, the page goes where the person was headed: a conversation
 * link (`/#/c/<id>`) that sent them here keeps its fragment through the redirect. Someone already
 * signed in goes there at once.
 */

const error = document.getElementById("sign-in-error") as HTMLElement;
const input = document.getElementById("token") as HTMLInputElement;

/** Where to go once signed in: the conversation this page was reached from, else the chat. */
const destination = /^#\/c\/[^/]+$/.test(location.hash) ? `/${location.hash}` : "/";

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
