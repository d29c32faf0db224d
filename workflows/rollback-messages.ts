/**
 * The rollback workflow's signals, query and update. Handlers and clients import these
 * same constants. Signal payloads (also for `temporal workflow signal`):
 *   approve / reject: {"by": "alice", "comment": "checked the preview"}
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DecisionKind, DecisionRequest, RecordedDecision } from '../core/rollback/approval-policy';
import type { RollbackStatus } from '../core/rollback/rollback-state';
import type { RecordedWithdrawal, WithdrawalRequest } from '../core/rollback/withdrawal';

export const approveSignal = defineSignal<[DecisionRequest]>('approve');
export const rejectSignal = defineSignal<[DecisionRequest]>('reject');

/**
 * The same decision as an update: the caller learns at once whether it counted. Malformed
 * payloads are rejected by the validator; a decision the policy refuses, or one arriving
 * outside the approval stage, is recorded in the ledger and returned with its reason. (Once
 * the workflow has closed, the client records it: client/rollbacks.ts.)
 */
export const decideUpdate = defineUpdate<RecordedDecision, [DecisionRequest & { readonly kind: DecisionKind }]>('decide');

/**
 * The requester takes back a rollback that awaits approval: it ends `cancelled`, nothing
 * changed. Refused (recorded, and returned with its reason) for anyone else, and once a
 * decision has moved the rollback on.
 */
export const withdrawUpdate = defineUpdate<RecordedWithdrawal, [WithdrawalRequest]>('withdraw');

export const rollbackStatusQuery = defineQuery<RollbackStatus>('status');
