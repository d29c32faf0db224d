import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approvalOutcome, evaluateDecision, type ApprovalPolicy, type RecordedDecision } from '../../core/rollback/approval-policy';

const policy: ApprovalPolicy = { approversRequired: 2, approvers: ['bob', 'carol', 'dave'], requesterMayApprove: false, timeoutSeconds: 60 };
const approve = (by: string, earlier: RecordedDecision[] = []) => evaluateDecision(policy, 'alice', 'approve', { by, comment: '' }, earlier);

describe('the approval policy, by example', () => {
  it('counts distinct role holders and nobody else', () => {
    const bob = approve('bob');
    const bobAgain = approve('bob', [bob]);
    const mallory = approve('mallory', [bob]);
    assert.deepEqual([bob.accepted, bobAgain.accepted, mallory.accepted], [true, false, false]);
    assert.equal(approvalOutcome(policy, [bob, bobAgain, mallory]), 'pending');
    assert.equal(approvalOutcome(policy, [bob, approve('carol', [bob])]), 'approved');
  });

  it('refuses the requester unless the policy allows it', () => {
    assert.equal(evaluateDecision({ ...policy, approvers: ['alice', 'bob'] }, 'alice', 'approve', { by: 'alice', comment: '' }, []).accepted, false);
    assert.equal(evaluateDecision({ ...policy, approvers: ['alice'], requesterMayApprove: true }, 'alice', 'approve', { by: 'alice', comment: '' }, []).accepted, true);
  });

  it('one accepted reject ends it; a refused reject does not', () => {
    const outsider = evaluateDecision(policy, 'alice', 'reject', { by: 'mallory', comment: '' }, []);
    assert.equal(approvalOutcome(policy, [outsider]), 'pending');
    const carol = evaluateDecision(policy, 'alice', 'reject', { by: 'carol', comment: 'no' }, []);
    assert.equal(approvalOutcome(policy, [approve('bob'), carol]), 'rejected');
  });
});
