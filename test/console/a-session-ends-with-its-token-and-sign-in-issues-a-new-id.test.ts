import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csrfMatches, SessionStore } from '../../console/sessions';
import type { Principal } from '../../identity/principal';

const principal = (expiresAt: string): Principal => ({ subject: 'alice', issuer: 'urn:test', method: 'oidc-jwt', tokenId: null, roles: { app: ['restorer'] }, expiresAt });

describe('a console session ends with its token, and signing in issues a new id', () => {
  it('signing in replaces the anonymous session: its id and CSRF token are worthless afterwards', () => {
    const store = new SessionStore();
    const anonymous = store.create();
    anonymous.locale = 'de';
    const signedIn = store.signIn(anonymous, { principal: principal(new Date(Date.now() + 60_000).toISOString()), token: 'token' });
    assert.notEqual(signedIn.id, anonymous.id);
    assert.notEqual(signedIn.csrf, anonymous.csrf);
    assert.equal(store.get(anonymous.id), undefined);
    assert.equal(store.get(signedIn.id)?.user?.principal.subject, 'alice');
    assert.equal(signedIn.locale, 'de', 'the chosen language survives signing in');
  });

  it('a session whose token has expired is gone', () => {
    const store = new SessionStore();
    const session = store.signIn(store.create(), { principal: principal(new Date(Date.now() - 1000).toISOString()), token: 'token' });
    assert.equal(store.get(session.id), undefined);
  });

  it('a session idle longer than allowed is gone', async () => {
    const store = new SessionStore(0);
    const session = store.create();
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(store.get(session.id), undefined);
  });

  it('the CSRF token must be exactly the session one', () => {
    const session = new SessionStore().create();
    assert.equal(csrfMatches(session, session.csrf), true);
    assert.equal(csrfMatches(session, undefined), false);
    assert.equal(csrfMatches(session, ''), false);
    assert.equal(csrfMatches(session, `${session.csrf.slice(0, -1)}x`), session.csrf.endsWith('x'));
  });
});
