import { patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { RollbackStage } from '../core/rollback/rollback-state';
import { withdrawalSchema, type RecordedWithdrawal } from '../core/rollback/withdrawal';
import { shortActivity } from './activity-profiles';
import type { ApprovalContext } from './rollback-approval';
import { withdrawUpdate } from './rollback-messages';

const steps = proxyActivities<Activities>(shortActivity);

export interface Withdrawal {
  /** The accepted withdrawal, once there is one: the approval wait ends with it. */
  accepted(): RecordedWithdrawal | null;
}

/**
 * Installs the `withdraw` update. Like a decision, a withdrawal is proven first: the
 * `authorize` activity verifies the credential, checks `rollback.withdraw` on the source and
 * binds the token to this rollback; then only the verified requester may withdraw, and only
 * while the rollback awaits approval. Every withdrawal, refused ones too, is written to the
 * ledger by `record`.
 */
export function installWithdrawal(context: ApprovalContext, record: (withdrawal: RecordedWithdrawal) => Promise<void>): Withdrawal {
  let accepted: RecordedWithdrawal | null = null;
  const notPending = (stage: RollbackStage) => `the rollback is ${stage}, not awaiting approval: only a pending request can be withdrawn`;
  const judge = async (payload: unknown): Promise<RecordedWithdrawal> => {
    const parsed = withdrawalSchema.safeParse(payload);
    const claimed = parsed.success ? parsed.data.by : 'unknown';
    const comment = parsed.success ? parsed.data.comment : '';
    const refused = (by: string, code: NonNullable<RecordedWithdrawal['code']>, reason: string): RecordedWithdrawal => ({ by, comment, accepted: false, code, reason });
    if (!parsed.success) return refused(claimed, 'INPUT_INVALID', `malformed withdrawal: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    if (context.stage() !== 'awaiting-approval') return refused(claimed, 'ROLLBACK_NOT_PENDING', notPending(context.stage()));
    // The first command a withdrawal adds to a history (an authorize activity): marked, as every change of the command sequence is.
    patched('rollback-withdraw-v1');
    const auth = await steps.authorize({
      credential: parsed.data.credential ?? null,
      permission: 'rollback.withdraw',
      resource: context.source,
      subject: context.rollbackId,
      claimedName: parsed.data.by,
      bindTokenTo: { purpose: 'rollback.withdraw', object: context.rollbackId },
    });
    if (!auth.granted) return refused(auth.subject ?? `unverified (claims ${claimed})`, auth.code === 'AUTH_INVALID' ? 'AUTH_INVALID' : 'PERMISSION_DENIED', `${auth.code}: ${auth.reason}`);
    const by = auth.principal.subject;
    if (by !== context.requestedBy) return refused(by, 'PERMISSION_DENIED', `only the requester (${context.requestedBy}) may withdraw this rollback`);
    // Judged again after the await: a decision may have moved the rollback on meanwhile.
    if (context.stage() !== 'awaiting-approval') return refused(by, 'ROLLBACK_NOT_PENDING', notPending(context.stage()));
    accepted = { by, comment, accepted: true, code: null, reason: null };
    return accepted;
  };
  setHandler(
    withdrawUpdate,
    async (payload) => {
      const withdrawal = await judge(payload);
      await record(withdrawal);
      return withdrawal;
    },
    { validator: (payload) => void withdrawalSchema.parse(payload) },
  );
  return { accepted: () => accepted };
}
