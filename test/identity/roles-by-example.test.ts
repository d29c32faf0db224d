import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { identitySchema } from '../../config/schema';
import { permits, rolesOn } from '../../identity/permissions';
import { rolesOf } from '../../identity/verify-token';

const base = { issuer: 'https://idp.example', jwksUrl: 'https://idp.example/jwks' };

describe('roles by example', () => {
  it('config grants by subject and by group, per source or everywhere', () => {
    const config = identitySchema.parse({
      ...base,
      grants: [
        { subject: 'alice', source: 'shop', roles: ['restorer'] },
        { group: 'dba', roles: ['admin'] },
        { group: 'reviewers', source: 'shop', roles: ['approver'] },
      ],
    });
    const alice = rolesOf(config, { sub: 'alice', groups: ['reviewers'] });
    assert.deepEqual(rolesOn(alice, 'shop'), ['restorer', 'approver']);
    assert.equal(permits(alice, 'rollback.approve', 'shop'), true);
    assert.equal(permits(alice, 'rollback.approve', 'crm'), false);
    assert.equal(permits(alice, 'retention.run', '*'), false);
    const dba = rolesOf(config, { sub: 'dora', groups: ['dba'] });
    assert.equal(permits(dba, 'retention.run', '*'), true);
    assert.equal(permits(dba, 'hold.remove', 'crm'), true);
  });

  it('a role claim counts only from an issuer configured to state roles, and unknown roles are ignored', () => {
    const claims = { sub: 'mallory', rp_roles: { '*': ['admin', 'superuser'] } };
    assert.deepEqual(rolesOf(identitySchema.parse(base), claims), {});
    assert.deepEqual(rolesOf(identitySchema.parse({ ...base, roleClaim: 'rp_roles' }), claims), { '*': ['admin'] });
  });

  it('a viewer may read and plan but not export; an exporter may not restore or approve', () => {
    assert.equal(permits({ shop: ['viewer'] }, 'export', 'shop'), false);
    assert.equal(permits({ shop: ['viewer'] }, 'ledger.read', 'shop'), true);
    assert.equal(permits({ shop: ['exporter'] }, 'restore', 'shop'), false);
    assert.equal(permits({ shop: ['exporter'] }, 'rollback.approve', 'shop'), false);
  });

  it('a config naming both a JWKS URL and file, or neither, is refused', () => {
    assert.equal(identitySchema.safeParse({ ...base, jwksFile: '/x' }).success, false);
    assert.equal(identitySchema.safeParse({ issuer: 'x' }).success, false);
  });
});
