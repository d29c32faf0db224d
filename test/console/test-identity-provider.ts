import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** The console's client id at the test provider: a public client (PKCE, no secret). */
export const CONSOLE_CLIENT_ID = 'restorepoint-console';

export interface TestIdentityProvider {
  /** The provider's issuer URL (http on 127.0.0.1), also its discovery base. */
  readonly issuer: string;
  /** Admits the console's callback URL once the console's port is known. */
  admit(redirectUri: string): void;
  close(): Promise<void>;
}

/**
 * A real OpenID Connect provider (the maintained `oidc-provider` package) on a free local port,
 * with its development login and consent pages (any login name is a user, any password passes).
 * It signs ID tokens and JWT access tokens for audience `restorepoint` with its own RSA key.
 */
export async function startTestIdentityProvider(): Promise<TestIdentityProvider> {
  let provider: Provider | undefined;
  const server = http.createServer((req, res) => {
    if (provider) provider.callback()(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: `test-${Math.random().toString(36).slice(2, 10)}` };
  return {
    issuer,
    admit(redirectUri) {
      provider = new Provider(issuer, {
        clients: [{ client_id: CONSOLE_CLIENT_ID, token_endpoint_auth_method: 'none', redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
        jwks: { keys: [signingKey] },
        cookies: { keys: ['test-identity-provider-cookie-key'] },
        findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
        features: {
          devInteractions: { enabled: true },
          // Access tokens as JWTs for the API the worker guards, as a real provider issues them for a registered API.
          resourceIndicators: {
            enabled: true,
            defaultResource: async () => 'urn:restorepoint:api',
            useGrantedResource: async () => true,
            getResourceServerInfo: async () => ({ scope: 'openid', audience: 'restorepoint', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
          },
        },
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
