import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Knex } from 'knex';
import { migrateCatalog, openCatalog } from '../../catalog/catalog-db';
import { LocalKeyring } from '../../crypto/local-keyring';
import { CatalogSessionStore } from '../../console/session-store';
import { csrfMatches } from '../../console/sessions';
import type { Principal } from '../../identity/principal';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';

const principal = (expiresAt: string): Principal => ({ subject: 'alice', issuer: 'urn:test', method: 'oidc-jwt', tokenId: null, roles: { app: ['restorer'] }, expiresAt });
const inAMinute = () => new Date(Date.now() + 60_000).toISOString();
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.the-bearer-token-itself.signature';

describe('a console session lives in the catalog, sealed, and ends with its token', () => {
  let db: ScratchDatabase;
  let catalog: Knex;
  let keyDir: string;
  let keys: LocalKeyring;

  before(async () => {
    db = await scratchDatabase('console_sessions');
    catalog = openCatalog(db.url);
    await migrateCatalog(catalog);
    keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-console-keys-'));
    keys = new LocalKeyring(path.join(keyDir, 'keyring.json'));
  });
  after(async () => {
    await catalog?.destroy();
    await db?.drop();
    fs.rmSync(keyDir, { recursive: true, force: true });
  });

  const rows = () => catalog('console_sessions').select<{ id_hash: string; sealed: Buffer }[]>('id_hash', 'sealed');

  it('signing in replaces the anonymous session: its id and CSRF token are worthless afterwards', async () => {
    const store = await CatalogSessionStore.open(catalog, keys);
    const anonymous = store.create();
    anonymous.locale = 'de';
    await store.save(anonymous);
    const signedIn = await store.signIn(anonymous, { principal: principal(inAMinute()), token: TOKEN });
    assert.notEqual(signedIn.id, anonymous.id);
    assert.notEqual(signedIn.csrf, anonymous.csrf);
    assert.equal(await store.get(anonymous.id), undefined);
    await store.save(anonymous);
    assert.equal(await store.get(anonymous.id), undefined, 'a request still holding the replaced session cannot save it back');
    assert.equal((await store.get(signedIn.id))?.user?.principal.subject, 'alice');
    assert.equal(signedIn.locale, 'de', 'the chosen language survives signing in');
  });

  it('the catalog holds a hash of the id and the session sealed: neither the id, the token nor the CSRF token is readable there', async () => {
    const store = await CatalogSessionStore.open(catalog, keys);
    const session = await store.signIn(store.create(), { principal: principal(inAMinute()), token: TOKEN });
    const stored = (await rows()).map((r) => `${r.id_hash} ${r.sealed.toString('latin1')}`).join('\n');
    for (const secret of [session.id, session.csrf, TOKEN, 'the-bearer-token-itself', 'alice']) assert.equal(stored.includes(secret), false, `${secret} is not in the catalog`);
    // A sealed session copied onto another row does not open there.
    const other = await store.signIn(store.create(), { principal: principal(inAMinute()), token: 'another' });
    const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');
    const { sealed } = await catalog('console_sessions').where({ id_hash: hashOf(other.id) }).first();
    await catalog('console_sessions').where({ id_hash: hashOf(session.id) }).update({ sealed });
    await assert.rejects(store.get(session.id), { code: 'DECRYPTION_FAILED' });
    await catalog('console_sessions').delete();
  });

  it('a store opened again on the same catalog (a console restart) finds the session; signing out deletes it', async () => {
    const first = await CatalogSessionStore.open(catalog, keys);
    const session = await first.signIn(first.create(), { principal: principal(inAMinute()), token: TOKEN });
    session.draft = { source: 'app' };
    await first.save(session);
    const restarted = await CatalogSessionStore.open(catalog, keys);
    const found = await restarted.get(session.id);
    assert.equal(found?.user?.token, TOKEN);
    assert.equal(found?.csrf, session.csrf);
    assert.deepEqual(found?.draft, { source: 'app' });
    await restarted.end(found!);
    assert.equal(await first.get(session.id), undefined);
    assert.equal((await rows()).length, 0, 'sign-out left no row');
  });

  it('a session whose token has expired is gone, row and all', async () => {
    const store = await CatalogSessionStore.open(catalog, keys);
    const session = await store.signIn(store.create(), { principal: principal(new Date(Date.now() - 1000).toISOString()), token: TOKEN });
    assert.equal(await store.get(session.id), undefined);
    assert.equal((await rows()).length, 0);
  });

  it('a session idle longer than allowed is gone', async () => {
    const store = await CatalogSessionStore.open(catalog, keys, 0);
    const session = store.create();
    await store.save(session);
    await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(await store.get(session.id), undefined);
  });

  it('the CSRF token must be exactly the session one', async () => {
    const session = (await CatalogSessionStore.open(catalog, keys)).create();
    assert.equal(csrfMatches(session, session.csrf), true);
    assert.equal(csrfMatches(session, undefined), false);
    assert.equal(csrfMatches(session, ''), false);
    assert.equal(csrfMatches(session, `${session.csrf.slice(0, -1)}x`), session.csrf.endsWith('x'));
  });
});
