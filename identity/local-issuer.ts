import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';
import type { IdentityConfig } from '../config/schema';
import { RestorepointError } from '../core/errors';
import { writeFileOnce } from '../crypto/write-once-file';
import { stateHome } from '../stack/paths';
import type { RolesByResource } from './permissions';

/** The local issuer's `iss`: tokens it signs are accepted only by workers configured with it. */
export const LOCAL_ISSUER = 'urn:restorepoint:local-issuer';
export const LOCAL_AUDIENCE = 'restorepoint';
/** The claim in which the local issuer states roles per source. */
export const LOCAL_ROLE_CLAIM = 'rp_roles';

export const identityPaths = {
  dir: () => path.join(stateHome(), 'identity'),
  signingKey: () => path.join(stateHome(), 'identity', 'signing-key.jwk.json'),
  jwks: () => path.join(stateHome(), 'identity', 'jwks.json'),
  payloadKey: () => path.join(stateHome(), 'identity', 'payload.key'),
  /** The key of masking profiles' keyed hashes (docs/masking.md) on the local stack. */
  maskingKey: () => path.join(stateHome(), 'identity', 'masking.key'),
};

/**
 * Creates the local issuer (an ES256 key pair, its public JWKS) and the payload key under
 * `$RESTOREPOINT_HOME/identity`, unless they exist. Harmless to call again.
 */
export function ensureLocalIdentity(): void {
  fs.mkdirSync(identityPaths.dir(), { recursive: true, mode: 0o700 });
  if (!fs.existsSync(identityPaths.signingKey())) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: randomUUID() };
    writeFileOnce(identityPaths.signingKey(), JSON.stringify(jwk));
  }
  if (!fs.existsSync(identityPaths.jwks())) {
    const { d: _private, ...publicJwk } = JSON.parse(fs.readFileSync(identityPaths.signingKey(), 'utf8')) as JWK;
    writeFileOnce(identityPaths.jwks(), JSON.stringify({ keys: [publicJwk] }));
  }
  if (!fs.existsSync(identityPaths.payloadKey())) writeFileOnce(identityPaths.payloadKey(), randomBytes(32).toString('base64'));
  if (!fs.existsSync(identityPaths.maskingKey())) writeFileOnce(identityPaths.maskingKey(), randomBytes(32).toString('base64'));
}

/** The identity config of the local issuer (what the local stack's defaults use), created first when missing. */
export function localIdentityConfig(): IdentityConfig {
  ensureLocalIdentity();
  return {
    issuer: LOCAL_ISSUER,
    audience: LOCAL_AUDIENCE,
    jwksFile: identityPaths.jwks(),
    algorithms: ['ES256'],
    roleClaim: LOCAL_ROLE_CLAIM,
    groupsClaim: 'groups',
    grants: [],
    clockToleranceSeconds: 5,
    payloadKeyFile: identityPaths.payloadKey(),
  };
}

export interface TokenRequest {
  readonly subject: string;
  readonly roles: RolesByResource;
  readonly groups?: readonly string[];
  /** Lifetime in seconds. */
  readonly ttlSeconds: number;
  /** Optional overrides (tests make expired, early or foreign tokens with them). */
  readonly notBefore?: Date;
  readonly issuedAt?: Date;
  readonly audience?: string;
  readonly issuer?: string;
}

/** Signs a token with the local issuer's key: only someone who can read that key file can do this. */
export async function issueLocalToken(request: TokenRequest): Promise<{ token: string; tokenId: string; expiresAt: Date }> {
  if (!fs.existsSync(identityPaths.signingKey())) {
    throw new RestorepointError('CONFIG_INVALID', `no local issuer at ${identityPaths.dir()}: run \`restorepoint stack up\` first`);
  }
  const jwk = JSON.parse(fs.readFileSync(identityPaths.signingKey(), 'utf8')) as JWK;
  const key = await importJWK(jwk, 'ES256');
  const issuedAt = request.issuedAt ?? new Date();
  const expiresAt = new Date(issuedAt.getTime() + request.ttlSeconds * 1000);
  const tokenId = randomUUID();
  const token = await new SignJWT({ [LOCAL_ROLE_CLAIM]: request.roles, ...(request.groups ? { groups: request.groups } : {}) })
    .setProtectedHeader({ alg: 'ES256', kid: jwk.kid, typ: 'JWT' })
    .setIssuer(request.issuer ?? LOCAL_ISSUER)
    .setAudience(request.audience ?? LOCAL_AUDIENCE)
    .setSubject(request.subject)
    .setJti(tokenId)
    .setIssuedAt(Math.floor(issuedAt.getTime() / 1000))
    .setNotBefore(Math.floor((request.notBefore ?? issuedAt).getTime() / 1000))
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(key);
  return { token, tokenId, expiresAt };
}
