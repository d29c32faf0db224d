import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UnsecuredJWT } from 'jose';
import { startExport } from '../../client/exports';
import { LOCAL_AUDIENCE, LOCAL_ISSUER, LOCAL_ROLE_CLAIM } from '../../identity/local-issuer';
import { tokenFor } from '../support/identity';
import { failureType, startIdentityWorld, type IdentityWorld } from './identity-world';

const ADMIN = { '*': ['admin'] } as const;
const HOUR = 3600 * 1000;

/**
 * Each bad token asks for an export of source a as an admin would: the worker refuses it with
 * AUTH_INVALID before anything happens, records the refusal, and no export exists.
 */
describe('tokens that do not verify are refused as AUTH_INVALID and change nothing', () => {
  let w: IdentityWorld;
  before(async () => {
    w = await startIdentityWorld();
  });
  after(async () => {
    await w?.close();
  });

  async function refusedExport(token: string | undefined, reason: RegExp): Promise<void> {
    const client = await w.clientWith(token);
    const handle = await startExport(client, { source: 'a', destination: `file://${w.folder}/refused` });
    assert.equal(await failureType(handle.result()), 'AUTH_INVALID');
    const denied = (await w.ledger(handle.exportId)).filter((e) => e.action === 'auth.denied');
    assert.equal(denied.length, 1);
    assert.equal(denied[0]!.actor, 'unverified');
    assert.match(String(denied[0]!.details.reason), reason);
    assert.equal(denied[0]!.details.code, 'AUTH_INVALID');
    assert.ok(denied[0]!.details.machine, 'the deciding worker is named');
    assert.equal((await w.catalogRows('exports')).filter((r) => r.id === handle.exportId).length, 0, 'no export was registered');
  }

  it('an expired token', async () => {
    await refusedExport(await tokenFor('alice', ADMIN, { issuedAt: new Date(Date.now() - 2 * HOUR), ttlSeconds: 60 }), /expired/);
  });

  it('a token not valid yet', async () => {
    await refusedExport(await tokenFor('alice', ADMIN, { notBefore: new Date(Date.now() + HOUR) }), /not valid yet/);
  });

  it('a token for another audience', async () => {
    await refusedExport(await tokenFor('alice', ADMIN, { audience: 'some-other-app' }), /another audience/);
  });

  it('a token from another issuer', async () => {
    await refusedExport(await tokenFor('alice', ADMIN, { issuer: 'https://issuer.example' }), /another issuer/);
  });

  it('a tampered token: its claims changed after signing', async () => {
    const [header, payload, signature] = (await tokenFor('viewer-v', { a: ['viewer'] })).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>;
    const raised = Buffer.from(JSON.stringify({ ...claims, [LOCAL_ROLE_CLAIM]: ADMIN })).toString('base64url');
    await refusedExport(`${header}.${raised}.${signature}`, /signature does not verify/);
  });

  it('an unsigned token (alg: none)', async () => {
    const unsigned = new UnsecuredJWT({ [LOCAL_ROLE_CLAIM]: ADMIN }).setIssuer(LOCAL_ISSUER).setAudience(LOCAL_AUDIENCE).setSubject('mallory').setIssuedAt().setExpirationTime('10m').encode();
    await refusedExport(unsigned, /algorithm that is not accepted/);
  });

  it('no token at all', async () => {
    await refusedExport(undefined, /no token/);
  });
});
