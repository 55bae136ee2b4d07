/**
 * A real OpenID provider for the tests (`oidc-provider`, the certified Node implementation), run
 * as its own process by oidc-provider.ts, configured by the JSON in OIDC_TEST_PROVIDER. Its issuer
 * is `http://localhost:<port>`: another site than the app's `127.0.0.1`, as a company's provider is.
 *
 * Signing in: the interaction page signs in the account named by the authorization request's
 * `login_hint` at once (what a test driving the flow over HTTP uses), else shows a form asking
 * for an email (what a browser test fills in). Consent is given by the grant loader: Sluice is a
 * first-party client.
 *
 * What a test may change, each a real provider's behaviour: its clock (`clockOffsetSeconds`: a
 * provider whose clock runs ahead or behind), the ID token's lifetime, whether scope claims go in
 * the ID token or only through userinfo, and `idTokenAudience`: the ID token the token endpoint
 * returns is signed again, with the provider's own key, for that audience (a provider issuing a
 * token meant for another client).
 */
import { createSign, generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { TestProviderOptions } from "./oidc-provider.ts";

const options = JSON.parse(process.env.OIDC_TEST_PROVIDER ?? "{}") as TestProviderOptions;

// Before the provider reads the time: everything it signs and checks moves with its clock.
const offsetMs = (options.clockOffsetSeconds ?? 0) * 1000;
const realNow = Date.now;
Date.now = () => realNow() + offsetMs;

const { default: Provider } = await import("oidc-provider");
type KoaContext = Parameters<Parameters<InstanceType<typeof Provider>["use"]>[0]>[0];

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const KEY_ID = "test-key";
const signingJwk = { ...privateKey.export({ format: "jwk" }), kid: KEY_ID, use: "sig", alg: "RS256" };

const page = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

function account(id: string) {
  const known = options.accounts?.[id] ?? {};
  return {
    accountId: id,
    async claims() {
      return {
        sub: id,
        email: known.email ?? id,
        email_verified: known.emailVerified ?? true,
        name: id,
        groups: known.groups ?? [],
      };
    },
  };
}

const server = createServer();
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const issuer = `http://localhost:${(server.address() as AddressInfo).port}`;
const provider = new Provider(issuer, {
  clients: options.clients,
  jwks: { keys: [signingJwk] },
  cookies: { keys: ["test-provider-cookie-key"] },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
  conformIdTokenClaims: !options.claimsInIdToken,
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx: KoaContext, form: string) => {
        ctx.body = page(
          "Sign out",
          `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>`,
        );
      },
      postLogoutSuccessSource: async (ctx: KoaContext) => {
        ctx.body = page("Signed out", "<p>Signed out.</p>");
      },
    },
  },
  renderError: async (ctx: KoaContext, out: object) => {
    ctx.type = "html";
    ctx.body = page("Error", `<pre>${JSON.stringify(out).replaceAll("<", "&lt;")}</pre>`);
  },
  findAccount: async (_ctx: KoaContext, id: string) => account(id),
  interactions: { url: async (_ctx: KoaContext, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
  pkce: { required: () => true },
  ttl: {
    IdToken: options.idTokenTtlSeconds ?? 3600,
    AccessToken: 3600,
    AuthorizationCode: 60,
    Grant: 3600,
    Session: 3600,
    Interaction: 600,
  },
  loadExistingGrant: async (ctx: KoaContext) => {
    const oidc = ctx.oidc;
    const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(oidc.client?.clientId as string);
    if (grantId) return oidc.provider.Grant.find(grantId);
    const grant = new oidc.provider.Grant({ clientId: oidc.client?.clientId, accountId: oidc.session?.accountId });
    grant.addOIDCScope("openid email profile groups");
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

/** The ID token signed again for `audience` (c_hash and everything else kept): the fault a test asks for. */
function signedFor(idToken: string, audience: string, key: KeyObject): string {
  const [header, payload] = idToken.split(".") as [string, string];
  const claims = { ...JSON.parse(Buffer.from(payload, "base64url").toString()), aud: audience };
  const body = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return `${body}.${createSign("RSA-SHA256").update(body).sign(key).toString("base64url")}`;
}

async function formOf(request: IncomingMessage): Promise<URLSearchParams> {
  let text = "";
  for await (const chunk of request) text += chunk;
  return new URLSearchParams(text);
}

async function signIn(ctx: KoaContext, accountId: string): Promise<void> {
  const to = await provider.interactionResult(
    ctx.req,
    ctx.res,
    { login: { accountId } },
    { mergeWithLastSubmission: false },
  );
  ctx.status = 303;
  ctx.redirect(to);
}

provider.use(async (ctx: KoaContext, next: () => Promise<void>) => {
  const interaction = /^\/interaction\/([\w-]+)(\/login)?$/.exec(ctx.path);
  if (!interaction) {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (ctx.path === "/token" && options.idTokenAudience && body?.id_token)
      ctx.body = { ...body, id_token: signedFor(body.id_token, options.idTokenAudience, privateKey) };
    return;
  }
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === "POST" && interaction[2]) return signIn(ctx, (await formOf(ctx.req)).get("email") ?? "");
  const hint = details.params.login_hint;
  if (details.prompt.name === "login" && typeof hint === "string") return signIn(ctx, hint);
  ctx.type = "html";
  ctx.body = page(
    "Sign in",
    `<form method="post" action="/interaction/${details.uid}/login"><label>Email <input name="email" type="email" autofocus></label><button type="submit">Sign in</button></form>`,
  );
});

server.on("request", provider.callback());
console.log(`test OIDC provider listening on ${issuer.replace("localhost", "127.0.0.1")} as issuer ${issuer}`);
