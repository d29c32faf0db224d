import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startRollback, type RollbackHandle } from '../../client/rollbacks';
import { rollbackWorkflowId } from '../../core/rollback/rollback-input';
import { previewDigest } from '../../identity/preview-digest';
import { decideUpdate } from '../../workflows/rollback-messages';
import { waitForStage } from '../rollback/rollback-world';
import { testStack } from '../support/stack';
import { tokenFor } from '../support/identity';
import { startIdentityWorld, type IdentityWorld } from './identity-world';

/**
 * Two rollbacks wait for approval, one on each source. Approvals count for the subject their
 * token proves, name the preview they saw, and a token that decided once cannot decide on
 * another rollback. A history of the workflow holds no token.
 */
describe('approvals are proven, bound to their rollback and preview, and single-use', () => {
  let w: IdentityWorld;
  let first: RollbackHandle;
  let second: RollbackHandle;
  const approverToken = tokenFor('bea', { '*': ['approver'] });
  before(async () => {
    w = await startIdentityWorld();
    const requester = await w.clientAs('rob', { '*': ['restorer', 'approver'] });
    for (const source of ['a', 'b'] as const) {
      const exportId = await w.exportOf(source);
      await w.sql(source, "update item set name = 'broken' where id <= 3");
      const handle = await startRollback(requester, { source, target: { exportId }, tables: ['item'], requestedBy: 'rob', reason: `names broken on ${source}` });
      await waitForStage(handle, 'awaiting-approval');
      if (source === 'a') first = handle;
      else second = handle;
    }
  });
  after(async () => {
    await w?.close();
  });

  /** Sends a decision as raw as a client can: exactly this payload, through the update. */
  async function send(rollbackId: string, payload: Record<string, unknown>) {
    const client = await w.clientWith(undefined);
    return client.temporal.workflow.getHandle(rollbackWorkflowId(rollbackId)).executeUpdate(decideUpdate, { args: [{ kind: 'approve', comment: '', ...payload } as never] });
  }
  const digestOf = async (handle: RollbackHandle) => previewDigest((await handle.status()).preview!);
  const brokenOn = async (source: 'a' | 'b') => (await w.sql(source, "select count(*)::int as n from item where name = 'broken'")).rows[0].n as number;

  it('a raw signal with no credential is refused AUTH_INVALID, ledgered, and changes nothing', async () => {
    const raw = (await w.clientWith(undefined)).temporal.workflow.getHandle(second.workflowId);
    await raw.signal('approve', { by: 'carol', comment: 'trust me' });
    let status = await second.status();
    while (status.decisions.length === 0) status = await second.status();
    assert.deepEqual([status.stage, status.decisions[0]!.accepted, status.decisions[0]!.by], ['awaiting-approval', false, 'unverified (claims carol)']);
    assert.match(status.decisions[0]!.reason ?? '', /^AUTH_INVALID: no token/);
    const denied = (await w.ledger(second.rollbackId)).filter((e) => e.action === 'auth.denied');
    assert.deepEqual(denied.map((e) => [e.actor, e.details.code, e.details.claimedName]), [['unverified', 'AUTH_INVALID', 'carol']]);
    assert.equal(await brokenOn('b'), 3);
  });

  it('the requester approving under another name is refused: the claim is not the verified subject', async () => {
    const decision = await send(second.rollbackId, { by: 'carol', credential: { token: await tokenFor('rob', { '*': ['restorer', 'approver'] }) }, previewDigest: await digestOf(second) });
    assert.equal(decision.accepted, false);
    assert.equal(decision.by, 'rob');
    assert.match(decision.reason ?? '', /PERMISSION_DENIED: the caller claims to be carol but the token proves rob/);
    const asHimself = await send(second.rollbackId, { by: 'rob', credential: { token: await tokenFor('rob', { '*': ['restorer', 'approver'] }) }, previewDigest: await digestOf(second) });
    assert.equal(asHimself.reason, 'the requester may not decide on their own rollback');
    assert.equal((await second.status()).stage, 'awaiting-approval');
  });

  it('an approval naming another preview than the one awaiting approval is refused', async () => {
    const decision = await send(second.rollbackId, { by: 'bea', credential: { token: await tokenFor('bea', { '*': ['approver'] }) }, previewDigest: 'f'.repeat(64) });
    assert.equal(decision.accepted, false);
    assert.match(decision.reason ?? '', /the approval names preview ffffffffffff…/);
  });

  it('an approval replayed onto another rollback is refused; the first rollback is applied', async () => {
    const token = await approverToken;
    const accepted = await send(first.rollbackId, { by: 'bea', credential: { token }, previewDigest: await digestOf(first) });
    assert.equal(accepted.accepted, true, accepted.reason ?? '');
    assert.equal((await first.result()).stage, 'done');
    assert.equal(await brokenOn('a'), 0);

    const replayed = await send(second.rollbackId, { by: 'bea', credential: { token }, previewDigest: await digestOf(second) });
    assert.equal(replayed.accepted, false);
    assert.match(replayed.reason ?? '', new RegExp(`PERMISSION_DENIED: this token was already used for rollback\\.decision on ${first.rollbackId}: replay onto ${second.rollbackId} refused`));
    assert.equal((await second.status()).stage, 'awaiting-approval');
    assert.equal(await brokenOn('b'), 3);
  });

  it('a rollback whose approval was applied records the verified approver, and its history holds no token or password', async () => {
    const entries = await w.ledger(first.rollbackId);
    assert.ok(entries.some((e) => e.action === 'rollback.approved' && e.actor === 'bea'));
    assert.ok(entries.some((e) => e.action === 'rollback.requested' && e.actor === 'rob'));
    // Read with a client that holds no payload key: what a history export or the UI shows.
    const history = await w.world.env.client.workflow.getHandle(first.workflowId).fetchHistory();
    // Every string as it is and base64-decoded: payload bytes are shown as base64.
    const strings: string[] = [];
    JSON.stringify(history, (_key, value: unknown) => {
      if (typeof value === 'string') strings.push(value, Buffer.from(value, 'base64').toString('latin1'));
      if (value instanceof Uint8Array) strings.push(Buffer.from(value).toString('latin1'));
      return value;
    });
    const text = strings.join('\n');
    assert.match(text, /binary\/restorepoint-aes256gcm/, 'payloads are encrypted');
    const token = await approverToken;
    assert.ok(!text.includes(token) && !text.includes(token.split('.')[1]!), 'no token in the history');
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\.eyJ/.test(text), 'no JWT of any kind in the history');
    const password = new URL(testStack().postgres.adminUrl).password;
    if (password) assert.ok(!text.includes(password), 'no source password in the history');
    const ledgerText = JSON.stringify(await w.ledger());
    assert.ok(!/eyJ[A-Za-z0-9_-]{10,}\./.test(ledgerText), 'no token in the ledger');
  });
});
