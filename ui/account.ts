/**
 * Who is signed in, at the foot of the sidebar, with Sign out where there is a session to end
 * (not under AUTH=none, nor behind an authenticating proxy, which owns its own sign-out), and a
 * link to the admin page for admins. Under AUTH=oidc, signing out goes on to the provider's own
 * sign-out page when the server names one.
 */
import { api } from "./api.ts";
import { byId } from "./dom.ts";

export async function showAccount(): Promise<void> {
  const session = await api.session().catch(() => undefined);
  if (!session || session.mode === "none") return;
  byId("account-user").textContent = `Signed in as ${session.user}`;
  const signOut = byId<HTMLButtonElement>("sign-out");
  signOut.hidden = !session.canSignOut;
  signOut.addEventListener("click", async () => {
    const signedOut = await api.signOut().catch(() => undefined);
    location.assign(signedOut?.end_session_url ?? "/login");
  });
  byId("admin-link").hidden = !session.admin;
  byId("account").hidden = false;
}
