import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { RollbackRequest } from '../../core/rollback/rollback-input';
import type { RollbackStatus } from '../../core/rollback/rollback-state';
import { approveSignal, decideUpdate, rollbackStatusQuery } from '../../workflows/rollback-messages';
import { startTestTemporal } from '../support/temporal';
import { decision, mockedRollbackWorker, type MockOptions } from './mocked-activities';

/** The state machine with fake activities on a real dev server: approval policy, timeout, compensation. */
describe('rollbackWorkflow, with its activities faked', () => {
  let env: TestWorkflowEnvironment;
  before(async () => {
    env = await startTestTemporal();
  });
  after(async () => {
    await env?.teardown();
  });

  let n = 0;
  async function run(options: MockOptions, drive: (handle: Awaited<ReturnType<TestWorkflowEnvironment['client']['workflow']['start']>>) => Promise<void>) {
    const taskQueue = `mock-${++n}-${Date.now()}`;
    const { worker, calls } = await mockedRollbackWorker(env, taskQueue, options);
    const request: RollbackRequest = { rollbackId: `wf-${n}`, source: 'app', target: { exportId: 'e1' }, tables: ['t'], requestedBy: 'alice', reason: 'test' };
    return worker.runUntil(async () => {
      const handle = await env.client.workflow.start('rollbackWorkflow', { taskQueue, workflowId: `rollback-wf-${n}-${Date.now()}`, args: [request, { credential: { token: 'alice' } }] });
      // A workflow that never reaches approval (a failing task, a refused caller) fails the test, not the suite's clock.
      const giveUpAt = Date.now() + 60_000;
      for (;;) {
        const s = await handle.query(rollbackStatusQuery).catch(() => undefined);
        if (s && s.stage === 'awaiting-approval') break;
        if (Date.now() > giveUpAt) throw new Error(`rollback never reached awaiting-approval (last stage: ${s?.stage ?? 'unknown'})`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await drive(handle);
      const result = await handle.result().then((s) => s as RollbackStatus, (error: Error) => error);
      return { result, status: await handle.query(rollbackStatusQuery), calls };
    });
  }

  it('no decision within the timeout cancels it, touching nothing', async () => {
    const { status, calls } = await run({ policy: { timeoutSeconds: 2 } }, async () => undefined);
    assert.equal(status.stage, 'cancelled');
    assert.equal(calls.applies.length, 0);
    assert.ok(calls.steps.some((s) => s.action === 'rollback.stage.cancelled'));
  });

  it('cancelling the workflow while it awaits approval ends it cancelled, touching nothing', async () => {
    const { status, calls } = await run({}, async (handle) => {
      await handle.cancel();
    });
    assert.equal(status.stage, 'cancelled');
    assert.equal(calls.applies.length, 0);
    assert.ok(calls.steps.some((s) => s.action === 'rollback.stage.cancelled'));
  });

  it('needs N distinct approvers: the same approver twice counts once', async () => {
    const { status, calls } = await run({ policy: { approversRequired: 2 } }, async (handle) => {
      const first = await handle.executeUpdate(decideUpdate, { args: [{ kind: 'approve', ...decision('bob', 'one') }] });
      const again = await handle.executeUpdate(decideUpdate, { args: [{ kind: 'approve', ...decision('bob', 'twice') }] });
      assert.deepEqual([first.accepted, again.accepted, again.reason], [true, false, 'bob has already approved']);
      assert.equal((await handle.query(rollbackStatusQuery)).stage, 'awaiting-approval');
      await handle.signal(approveSignal, decision('carol', 'two'));
    });
    assert.equal(status.stage, 'done');
    assert.equal(calls.applies.length, 1);
    assert.deepEqual(calls.applies[0]!.expectedLive, { 'public.t': 'live-before' });
  });

  it('a malformed update is rejected by the validator and changes nothing', async () => {
    const { status } = await run({ policy: { timeoutSeconds: 3 } }, async (handle) => {
      await assert.rejects(handle.executeUpdate(decideUpdate, { args: [{ kind: 'approve', by: '', comment: '' }] }));
    });
    assert.equal(status.stage, 'cancelled');
  });

  it('validation failing after apply restores the safety snapshot, expecting the state apply left', async () => {
    const bad = { differences: { 'public.t': 4 }, orphans: {}, fingerprints: {}, ok: false };
    const { status, calls } = await run({ validations: [bad] }, (handle) => handle.signal(approveSignal, decision('bob', 'go')));
    assert.equal(status.stage, 'compensated', status.outcome ?? '');
    assert.deepEqual(calls.prepares, ['e1', `wf-${n}-safety`]);
    assert.equal(calls.applies.length, 2);
    assert.deepEqual(calls.applies[1]!.expectedLive, { 'public.t': 'after-apply-0' });
  });

  it('a failed compensation step is reported, never swallowed', async () => {
    const bad = { differences: { 'public.t': 4 }, orphans: {}, fingerprints: {}, ok: false };
    const { result, status, calls } = await run({ validations: [bad], failApply: (call) => (call === 1 ? ApplicationFailure.nonRetryable('writer got in', 'SCOPE_CHANGED') : undefined) }, (handle) =>
      handle.signal(approveSignal, decision('bob', 'go')),
    );
    assert.ok(result instanceof Error);
    assert.equal(status.stage, 'failed');
    assert.match(status.outcome ?? '', /compensation step apply failed: writer got in/);
    assert.ok(calls.steps.some((s) => s.action === 'rollback.compensation.apply.failed' && s.outcome === 'failed'));
  });

  it('apply failing (one transaction) ends failed without compensation', async () => {
    const { result, status, calls } = await run({ failApply: () => ApplicationFailure.nonRetryable('live data changed', 'SCOPE_CHANGED') }, (handle) => handle.signal(approveSignal, decision('carol', 'go')));
    assert.ok(result instanceof Error);
    assert.equal(status.stage, 'failed');
    assert.equal(calls.prepares.length, 1);
  });
});
