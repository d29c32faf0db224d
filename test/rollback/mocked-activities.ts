import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ApprovalPolicy } from '../../core/rollback/approval-policy';
import type { RollbackPreview } from '../../core/rollback/rollback-preview';
import type { ValidationReport } from '../../core/rollback/rollback-state';
import type { RollbackStep } from '../../activities/rollback/rollback-steps';
import type { AuthorizeRequest, AuthorizeResult } from '../../identity/principal';

/** The digest the faked `previewDigest` gives PREVIEW: what approvals in these tests name. */
export const PREVIEW_DIGEST = 'd'.repeat(64);

/** A decision as a client sends it, the fake credential being the subject it proves. */
export function decision(by: string, comment: string) {
  return { by, comment, credential: { token: by }, previewDigest: PREVIEW_DIGEST };
}

/** Stands in for token verification: a credential's token is the subject it proves; a child acts for its parent. */
async function fakeAuthorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
  const machine = { host: 'test', build: 'test' };
  const subject = request.viaParent ? 'parent' : request.credential?.token;
  if (!subject) return { granted: false, code: 'AUTH_INVALID', reason: 'no token', subject: null, machine };
  if (request.claimedName && request.claimedName !== subject) return { granted: false, code: 'PERMISSION_DENIED', reason: `claims ${request.claimedName}`, subject, machine };
  return { granted: true, principal: { subject, issuer: 'test', method: 'oidc-jwt', tokenId: null, roles: { '*': ['admin'] }, expiresAt: null }, machine };
}

export const PREVIEW: RollbackPreview = {
  tables: [{ table: 'public.t', inserts: 1, updates: 2, deletes: 3, changedSinceTarget: [] }],
  foreignKeys: [],
  constraintConflicts: [],
  liveFingerprints: { 'public.t': 'live-before' },
  totals: { inserts: 1, updates: 2, deletes: 3, changedSinceTarget: 0, conflicts: 0 },
};

const OK: ValidationReport = { differences: { 'public.t': 0 }, orphans: {}, fingerprints: { 'public.t': 'target' }, ok: true };

export interface Calls {
  readonly steps: RollbackStep[];
  readonly applies: { exportStaging: string; expectedLive: Readonly<Record<string, string>> }[];
  readonly prepares: string[];
}

export interface MockOptions {
  readonly policy?: Partial<ApprovalPolicy>;
  /** Validation reports in call order; default every one ok. */
  readonly validations?: ValidationReport[];
  readonly failApply?: (call: number) => Error | undefined;
}

/**
 * A worker running the real rollbackWorkflow (and the export workflow it starts as a
 * child) against fake activities that only record what they were asked.
 */
export async function mockedRollbackWorker(env: TestWorkflowEnvironment, taskQueue: string, options: MockOptions = {}): Promise<{ worker: Worker; calls: Calls }> {
  const calls: Calls = { steps: [], applies: [], prepares: [] };
  const validations = [...(options.validations ?? [])];
  let applyCall = 0;
  const policy: ApprovalPolicy = { approversRequired: 1, approvers: ['bob', 'carol'], requesterMayApprove: false, timeoutSeconds: 3600, ...options.policy };
  const activities = {
    authorize: fakeAuthorize,
    previewDigest: async () => PREVIEW_DIGEST,
    delegate: async () => undefined,
    registerRollback: async () => undefined,
    rollbackPolicy: async () => policy,
    recordRollbackStep: async (step: RollbackStep) => {
      calls.steps.push(step);
    },
    prepareRollback: async (r: { exportId: string; stagingSchema: string }) => {
      calls.prepares.push(r.exportId);
      return { tables: [{ schema: 'public', name: 't', kind: 'table', columns: ['id'], primaryKey: ['id'], identityAlways: false, foreignKeys: [] }], sequences: [], targetSnapshot: '1:1:', destination: 'file:///tmp/x', stagedRows: 1 };
    },
    previewRollback: async () => PREVIEW,
    applyRollback: async (r: { stagingSchema: string; expectedLive: Record<string, string> }) => {
      calls.applies.push({ exportStaging: r.stagingSchema, expectedLive: r.expectedLive });
      const call = applyCall++;
      const failure = options.failApply?.(call);
      if (failure) throw failure;
      return { liveAfter: { 'public.t': `after-apply-${call}` }, alreadyApplied: false, deleted: 3, upserted: 3, sequences: 0 };
    },
    validateRollback: async () => validations.shift() ?? OK,
    dropStaging: async () => undefined,
    // The safety snapshot runs the real export workflow as a child; these stand in for its activities.
    checkScope: async () => ({ tables: 1, schemas: ['public'], partial: true }),
    beginExport: async () => undefined,
    sealTrailForExport: async () => null,
    recordFullTrailPosition: async () => undefined,
    exportData: async () => ({ manifestKey: 'k', manifestSha256: '0'.repeat(64), tables: 1, rows: 1, bytes: 1, parts: 1 }),
    finishExport: async () => undefined,
    failExport: async () => undefined,
  };
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath: require.resolve('../../workflows'), activities });
  return { worker, calls };
}
