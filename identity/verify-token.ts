import fs from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { IdentityConfig } from '../config/schema';
import { RestorepointError } from '../core/errors';
import { ROLES, type Role, type RolesByResource } from './permissions';
import type { Principal } from './principal';

const keySets = new Map<string, JWTVerifyGetKey>();

/** The issuer's keys, cached per JWKS location (jose's remote set refreshes itself on unknown `kid`s). */
function keySet(config: IdentityConfig): JWTVerifyGetKey {
  const where = config.jwksUrl ?? `file:${config.jwksFile}`;
  let found = keySets.get(where);
  if (!found) {
    found = config.jwksUrl
      ? createRemoteJWKSet(new URL(config.jwksUrl))
      : createLocalJWKSet(JSON.parse(fs.readFileSync(config.jwksFile!, 'utf8')) as JSONWebKeySet);
    keySets.set(where, found);
  }
  return found;
}

/** Why jose refused a token, in words safe for the ledger (never the token itself). */
function refusal(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'the token is not valid yet (nbf)';
    if (error.claim === 'aud') return 'the token is for another audience';
    if (error.claim === 'iss') return 'the token is from another issuer';
    return `the token's ${error.claim} claim is invalid: ${error.reason}`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm that is not accepted';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer matches the token';
  if (error instanceof errors.JOSEError) return `the token is malformed (${error.code})`;
  return 'the token cannot be verified';
}

const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** Roles per resource: from the issuer's role claim (when trusted) and from config grants by subject or group. */
export function rolesOf(config: IdentityConfig, payload: JWTPayload): RolesByResource {
  const roles: Record<string, Role[]> = {};
  const add = (resource: string, granted: readonly unknown[]) => {
    roles[resource] = [...new Set([...(roles[resource] ?? []), ...granted.filter(isRole)])];
  };
  const claimed = config.roleClaim ? payload[config.roleClaim] : undefined;
  if (claimed && typeof claimed === 'object' && !Array.isArray(claimed)) {
    for (const [resource, granted] of Object.entries(claimed as Record<string, unknown>)) if (Array.isArray(granted)) add(resource, granted);
  }
  const groupsClaim = payload[config.groupsClaim];
  const groups = Array.isArray(groupsClaim) ? groupsClaim.filter((g): g is string => typeof g === 'string') : [];
  for (const grant of config.grants) {
    if ((grant.subject !== undefined && grant.subject === payload.sub) || (grant.group !== undefined && groups.includes(grant.group))) add(grant.source, grant.roles);
  }
  return roles;
}

/**
 * Verifies a bearer token against the configured issuer with jose: signature (by the JWKS,
 * only the allowed algorithms, so `none` and HMAC never pass), issuer, audience, expiry and
 * not-before, and a subject. Throws AUTH_INVALID saying which check failed.
 */
export async function verifyToken(config: IdentityConfig | undefined, token: string | undefined): Promise<Principal> {
  if (!config) throw new RestorepointError('AUTH_INVALID', 'the worker has no identity issuer configured (config identity): it accepts no request');
  if (!token) throw new RestorepointError('AUTH_INVALID', 'no token: sign in with `restorepoint login` or set RESTOREPOINT_TOKEN');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keySet(config), {
      issuer: config.issuer,
      audience: config.audience,
      algorithms: config.algorithms,
      clockTolerance: config.clockToleranceSeconds,
      requiredClaims: ['sub', 'exp'],
    }));
  } catch (error) {
    throw new RestorepointError('AUTH_INVALID', refusal(error));
  }
  return {
    subject: payload.sub!,
    issuer: config.issuer,
    method: 'oidc-jwt',
    tokenId: typeof payload.jti === 'string' ? payload.jti : null,
    roles: rolesOf(config, payload),
    expiresAt: new Date(payload.exp! * 1000).toISOString(),
  };
}
