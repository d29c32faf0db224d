import { issueLocalToken, type TokenRequest } from '../../identity/local-issuer';
import type { RolesByResource } from '../../identity/permissions';
import type { TokenSource } from '../../identity/token-store';

/** The subject tests act as when they claim no name. */
export const TEST_ADMIN = 'test-admin';

/** A token from the local issuer for `subject` with `roles` (default admin everywhere), valid 15 minutes unless overridden. */
export async function tokenFor(subject: string, roles: RolesByResource = { '*': ['admin'] }, overrides: Partial<TokenRequest> = {}): Promise<string> {
  return (await issueLocalToken({ subject, roles, ttlSeconds: 900, ...overrides })).token;
}

/**
 * The token source of test clients: a fresh admin token for whatever name the test claims
 * (`requestedBy: 'alice'`, `decide('approve', 'bob')`), so tests written before identities
 * act as those people, now proven. Approver lists in the test configs still narrow who decides.
 */
export const testTokens: TokenSource = async (as) => tokenFor(as ?? TEST_ADMIN);
