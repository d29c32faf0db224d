import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { identityPaths, issueLocalToken } from './local-issuer';
import type { RolesByResource } from './permissions';

/**
 * Where a caller's token comes from. `as` is the name the caller claims (`--as`,
 * `requestedBy`): a real source ignores it (the worker refuses a claim that differs from the
 * token's subject); the test issuer mints a token for it.
 */
export type TokenSource = (as?: string) => Promise<string | undefined>;

/** The file `restorepoint login` writes, in the caller's own home: their token, readable only by them. */
export function loginFile(): string {
  return process.env.RESTOREPOINT_LOGIN_FILE ?? path.join(os.homedir(), '.config', 'restorepoint', 'token');
}

export function saveLogin(token: string): void {
  fs.mkdirSync(path.dirname(loginFile()), { recursive: true, mode: 0o700 });
  fs.writeFileSync(loginFile(), token, { mode: 0o600 });
}

export function clearLogin(): void {
  fs.rmSync(loginFile(), { force: true });
}

let override: TokenSource | undefined;

/** Replaces the default source for this process (the test support mints tokens per claimed name). */
export function useTokenSource(source: TokenSource | undefined): void {
  override = source;
}

/** RESTOREPOINT_TOKEN, else the login file, else none (the worker then refuses with AUTH_INVALID). */
export const defaultTokenSource: TokenSource = async (as) => {
  if (override) return override(as);
  const fromEnv = process.env.RESTOREPOINT_TOKEN;
  if (fromEnv) return fromEnv.trim();
  return fs.existsSync(loginFile()) ? fs.readFileSync(loginFile(), 'utf8').trim() : undefined;
};

/** A service identity's lifetime when the local issuer mints it: a schedule outlives any person's session. */
const SERVICE_TOKEN_SECONDS = 365 * 24 * 3600;

/**
 * A token for a service identity (a schedule's runs) holding `roles` (identity/service-roles.ts):
 * RESTOREPOINT_SERVICE_TOKEN when the deployment provides one (from its identity provider,
 * which decides its roles), else one the local issuer signs when its key is readable here;
 * none otherwise (the runs are then refused, AUTH_INVALID).
 */
export async function serviceToken(subject: string, roles: RolesByResource): Promise<string | undefined> {
  const fromEnv = process.env.RESTOREPOINT_SERVICE_TOKEN;
  if (fromEnv) return fromEnv.trim();
  if (!fs.existsSync(identityPaths.signingKey())) return undefined;
  return (await issueLocalToken({ subject, roles, ttlSeconds: SERVICE_TOKEN_SECONDS })).token;
}
