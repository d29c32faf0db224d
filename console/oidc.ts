import * as oidc from 'openid-client';
import type { Config } from '../config/schema';
import { RestorepointError } from '../core/errors';
import { verifyToken } from '../identity/verify-token';
import type { PendingSignIn, SignedIn } from './sessions';

type OidcSettings = NonNullable<Config['console']['oidc']>;

/** Plain HTTP is accepted only for a provider on this machine (a test or a local provider); anywhere else it must be HTTPS. */
const isLoopback = (url: URL) => url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/**
 * The console's redirect sign-in: OpenID Connect's authorization-code flow with PKCE, state and
 * nonce, all done by openid-client (discovery, the authorization URL, the code exchange, the
 * ID token's signature, issuer, audience and nonce). The access token it yields is then
 * verified by the worker's own verifier (identity/verify-token.ts): that decides who the user
 * is and which roles they hold, so a provider the worker does not trust signs nobody in.
 */
export class RedirectSignIn {
  private discovered: Promise<oidc.Configuration> | undefined;

  constructor(
    private readonly config: Config,
    private readonly settings: OidcSettings,
  ) {}

  /** Where the browser goes to sign in, and what the callback must find again. */
  async begin(redirectUri: string): Promise<{ readonly url: URL; readonly pending: PendingSignIn }> {
    const provider = await this.provider();
    const pending: PendingSignIn = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), startedAt: Date.now() };
    const url = oidc.buildAuthorizationUrl(provider, {
      redirect_uri: redirectUri,
      scope: this.settings.scope,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url, pending };
  }

  /**
   * The user the provider's redirect back names: AUTH_INVALID when the state, the code, the ID
   * token or the access token does not hold up (the reason says which, never a token).
   */
  async finish(redirectUri: string, callbackSearch: string, pending: PendingSignIn): Promise<SignedIn> {
    const provider = await this.provider();
    // The URL as registered (a proxy in front may have changed what this server saw), with the provider's answer.
    const current = new URL(redirectUri);
    current.search = callbackSearch;
    let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
    try {
      tokens = await oidc.authorizationCodeGrant(provider, current, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (error) {
      if (error instanceof oidc.AuthorizationResponseError) throw new RestorepointError('AUTH_INVALID', `the identity provider refused: ${error.error}`);
      if (error instanceof oidc.ResponseBodyError || error instanceof oidc.ClientError) {
        // openid-client says "invalid response encountered"; which check failed is in its cause.
        const why = error.cause instanceof Error ? error.cause.message : error.message;
        throw new RestorepointError('AUTH_INVALID', `the sign-in response does not hold up: ${why}`);
      }
      throw error;
    }
    // Who the user is and what they may do: the worker's verifier, on the token the worker will see.
    const principal = await verifyToken(this.config.identity, tokens.access_token);
    if (principal.subject !== tokens.claims()?.sub) throw new RestorepointError('AUTH_INVALID', 'the access token and the ID token name different users');
    return { principal, token: tokens.access_token };
  }

  /** The provider's metadata, discovered once (again after a failure). */
  private provider(): Promise<oidc.Configuration> {
    if (!this.discovered) {
      const server = new URL(this.settings.issuerUrl ?? this.config.identity?.issuer ?? '');
      const secret = this.settings.clientSecretEnv ? process.env[this.settings.clientSecretEnv] : undefined;
      this.discovered = oidc
        .discovery(server, this.settings.clientId, secret, secret ? oidc.ClientSecretPost(secret) : oidc.None(), isLoopback(server) ? { execute: [oidc.allowInsecureRequests] } : undefined)
        .catch((error: unknown) => {
          this.discovered = undefined;
          throw new RestorepointError('AUTH_INVALID', `the identity provider at ${server.origin} cannot be reached or described: ${error instanceof Error ? error.message : String(error)}`);
        });
    }
    return this.discovered;
  }
}
