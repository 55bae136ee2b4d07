/**
 * The attacker suite's single sign-on setup: the tests' OpenID provider (test/support/) and the
 * app under AUTH=oidc pointed at it, on a port chosen first so that the provider knows the app's
 * redirect URL before either starts.
 */
import { freePort } from "../../harness/stack/free-port.ts";
import {
  oidcEnv,
  sluiceClient,
  startTestProvider,
  TEST_ACCOUNTS,
  type TestProvider,
  type TestProviderOptions,
} from "../support/oidc-provider.ts";
import { startTarget, type TargetApp } from "./setup.ts";

export interface OidcTarget {
  app: TargetApp;
  provider: TestProvider;
  stop(): Promise<void>;
}

/** The provider (with `providerOptions` over the defaults) and the app (with `env` over OIDC's), started. */
export async function startOidcTarget(
  providerOptions: Partial<TestProviderOptions> = {},
  env: Record<string, string> = {},
  defencesOff: string[] = [],
): Promise<OidcTarget> {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const provider = await startTestProvider({
    clients: [sluiceClient(base)],
    accounts: TEST_ACCOUNTS,
    ...providerOptions,
  });
  const settings = {
    ...oidcEnv(provider, base),
    PORT: String(port),
    ...env,
  };
  const app = await startTarget(settings, { defencesOff }).catch(async (error) => {
    await provider.stop();
    throw error;
  });
  return {
    app,
    provider,
    async stop() {
      await app.stop();
      await provider.stop();
    },
  };
}
