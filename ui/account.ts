/**
 * Who is signed in, at the foot of the sidebar, with Sign out where there is a session to end
 * (not under AUTH=none, nor behind an authenticating proxy, which owns its own sign-out).
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
    await api.signOut().catch(() => undefined);
    location.assign("/login");
  });
  byId("account").hidden = false;
}
