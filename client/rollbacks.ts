import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { decodeJwt } from 'jose';
import type { Knex } from 'knex';
import { getRollback, type RollbackRecord } from '../activities/rollback/rollback-records';
import { appendLedger } from '../catalog/ledger';
import { RestorepointError } from '../core/errors';
import type { DecisionKind, RecordedDecision } from '../core/rollback/approval-policy';
import { rollbackInputSchema, rollbackWorkflowId, type RollbackRequest } from '../core/rollback/rollback-input';
import type { ApplyProgress, RollbackStatus } from '../core/rollback/rollback-state';
import { rowPredicateProblems } from '../core/rollback/row-predicate';
import { previewDigest } from '../identity/preview-digest';
import type { RecordedWithdrawal } from '../core/rollback/withdrawal';
import { decideUpdate, rollbackStatusQuery, withdrawUpdate } from '../workflows/rollback-messages';
import type { RestorepointClient } from './connect';
import { pendingHeartbeatDetails } from './heartbeat-details';

export interface RollbackHandle {
  readonly rollbackId: string;
  readonly workflowId: string;
  /** The workflow's `status` query: stage, preview counts, decisions, progress, outcome. */
  status(): Promise<RollbackStatus>;
  /**
   * Approves or rejects through the `decide` update, with the caller's credential: resolves with
   * the decision as recorded (refused ones included). `by` is a claim the worker checks against
   * the verified subject. An approval names `digest`, the preview the approver saw; default the
   * digest of the preview the rollback shows now. A rollback whose workflow has closed rejects
   * with ROLLBACK_ENDED (recorded in the ledger as `rollback.decision.refused` when the handle
   * has the catalog), an id no rollback has with ROLLBACK_NOT_FOUND.
   */
  decide(kind: DecisionKind, by?: string, comment?: string, digest?: string): Promise<RecordedDecision>;
  /**
   * The requester withdraws the rollback while it awaits approval (the `withdraw` update, with the
   * caller's credential): it ends `cancelled`, nothing changed, and the ledger says who. Refused
   * (and recorded) with PERMISSION_DENIED for anyone but the requester holding `rollback.withdraw`,
   * with ROLLBACK_NOT_PENDING once a decision moved it on or it ended; ROLLBACK_NOT_FOUND for an
   * id the catalog does not know.
   */
  withdraw(comment?: string, by?: string): Promise<RecordedWithdrawal>;
  /** Waits for the rollback to end; resolves with its final status, rejects when it failed. */
  result(): Promise<RollbackStatus>;
}

export type StartRollbackOptions = Omit<RollbackRequest, 'rollbackId'> & { readonly rollbackId?: string };

/** A readable, unique rollback id: `rb-<UTC time>-<random>`. */
export function newRollbackId(now = new Date()): string {
  return `rb-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'z').toLowerCase()}-${randomUUID().slice(0, 6)}`;
}

/** Starts a rollback (validated here first); starting an id that exists returns its handle. */
export async function startRollback(client: RestorepointClient, options: StartRollbackOptions): Promise<RollbackHandle> {
  const parsed = rollbackInputSchema.safeParse({ ...options, rollbackId: options.rollbackId ?? newRollbackId() });
  if (!parsed.success) throw new RestorepointError('INPUT_INVALID', `invalid rollback options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const input = parsed.data;
  // The text checks run here too, so a bad predicate is refused before a workflow exists; prepare checks everything again.
  const problems = rowPredicateProblems(input.where);
  if (problems.length > 0) throw new RestorepointError('ROLLBACK_SCOPE_INVALID', `${problems.join('; ')}; nothing was started`, { where: input.where });
  try {
    await client.temporal.workflow.start('rollbackWorkflow', { taskQueue: client.taskQueue, workflowId: rollbackWorkflowId(input.rollbackId), args: [input, { credential: await client.credential(input.requestedBy) }] });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
  return rollbackHandle(client, input.rollbackId);
}

export function rollbackHandle(client: RestorepointClient, rollbackId: string, catalog?: Knex): RollbackHandle {
  const workflowId = rollbackWorkflowId(rollbackId);
  const handle = client.temporal.workflow.getHandle(workflowId);
  return {
    rollbackId,
    workflowId,
    status: () => readStatus(client, handle),
    decide: async (kind, by, comment = '', digest) => {
      const credential = await client.credential(by);
      // Without a claimed name, the decision claims the token's own subject (read, not trusted: the worker verifies it).
      const claimed = by ?? (credential.token ? decodeJwt(credential.token).sub : undefined) ?? 'unknown';
      try {
        const shown = digest ?? (await currentPreviewDigest(handle.query(rollbackStatusQuery)));
        return await handle.executeUpdate(decideUpdate, { args: [{ kind, by: claimed, comment, credential, ...(shown ? { previewDigest: shown } : {}) }] });
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        throw await lateDecision(catalog, rollbackId, { kind, by: claimed, comment });
      }
    },
    withdraw: async (comment = '', by) => {
      const credential = await client.credential(by);
      const claimed = by ?? (credential.token ? decodeJwt(credential.token).sub : undefined) ?? 'unknown';
      let withdrawal: RecordedWithdrawal;
      try {
        withdrawal = await handle.executeUpdate(withdrawUpdate, { args: [{ by: claimed, comment, credential }] });
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
        throw await lateWithdrawal(catalog, rollbackId, { by: claimed, comment });
      }
      if (!withdrawal.accepted) throw new RestorepointError(withdrawal.code ?? 'PERMISSION_DENIED', `rollback ${rollbackId}: withdrawal refused: ${withdrawal.reason ?? ''}`, { rollbackId });
      return withdrawal;
    },
    result: () => handle.result() as Promise<RollbackStatus>,
  };
}

/** A withdrawal for a rollback whose workflow has closed: refused here and recorded, as a late decision is. */
async function lateWithdrawal(catalog: Knex | undefined, rollbackId: string, withdrawal: { by: string; comment: string }): Promise<RestorepointError> {
  const record = catalog ? await getRollback(catalog, rollbackId) : undefined;
  if (catalog && !record) return new RestorepointError('ROLLBACK_NOT_FOUND', `no rollback "${rollbackId}"`, { rollbackId });
  const reason = `the rollback ${record ? `ended ${record.stage}` : 'has ended (or never existed)'}: only a pending request can be withdrawn`;
  if (catalog) await appendLedger(catalog, { actor: withdrawal.by, action: 'rollback.withdraw.refused', subject: rollbackId, outcome: 'refused', details: { comment: withdrawal.comment, code: 'ROLLBACK_NOT_PENDING', reason } });
  return new RestorepointError('ROLLBACK_NOT_PENDING', `rollback ${rollbackId}: ${reason}`, { rollbackId, stage: record?.stage ?? null });
}

/**
 * A decision for a rollback whose workflow has closed: no workflow is left to judge it, so
 * it is refused here, recorded in the ledger (when the catalog is at hand) with the stage
 * the rollback ended in, and answered with a typed error.
 */
async function lateDecision(catalog: Knex | undefined, rollbackId: string, decision: { kind: DecisionKind; by: string; comment: string }): Promise<RestorepointError> {
  const record = catalog ? await getRollback(catalog, rollbackId) : undefined;
  if (catalog && !record) return new RestorepointError('ROLLBACK_NOT_FOUND', `no rollback "${rollbackId}"`, { rollbackId });
  const ended = record ? `ended ${record.stage}${record.outcome ? ` (${record.outcome})` : ''}` : 'has ended (or never existed)';
  const reason = `the rollback ${ended} before this ${decision.kind} arrived; it changes nothing`;
  if (catalog) {
    await appendLedger(catalog, { actor: decision.by, action: 'rollback.decision.refused', subject: rollbackId, outcome: 'refused', details: { kind: decision.kind, comment: decision.comment, reason } });
  }
  return new RestorepointError('ROLLBACK_ENDED', `rollback ${rollbackId}: ${reason}`, { rollbackId, stage: record?.stage ?? null });
}

/** The status query's answer; while applying, with the apply activity's heartbeat progress (no signal carries it). */
async function readStatus(client: RestorepointClient, handle: WorkflowHandle): Promise<RollbackStatus> {
  const status = await handle.query(rollbackStatusQuery);
  if (status.stage !== 'applying') return status;
  const live = (await pendingHeartbeatDetails(client, handle)).find((d): d is ApplyProgress => typeof (d as ApplyProgress | null)?.rowsApplied === 'number');
  return live ? { ...status, progress: live } : status;
}

async function currentPreviewDigest(status: Promise<RollbackStatus>): Promise<string | undefined> {
  const { preview } = await status;
  return preview ? previewDigest(preview) : undefined;
}

/** The catalog's record of a rollback, with the preview's sample rows. */
export async function rollbackRecord(catalog: Knex, rollbackId: string): Promise<RollbackRecord> {
  const record = await getRollback(catalog, rollbackId);
  if (!record) throw new RestorepointError('ROLLBACK_NOT_FOUND', `no rollback "${rollbackId}" in the catalog`, { rollbackId });
  return record;
}

/**
 * Starts a new rollback back to the safety snapshot of `rollbackId` (same source and
 * scope), through the same preview and approval.
 */
export async function undoRollback(client: RestorepointClient, catalog: Knex, rollbackId: string, options: { requestedBy: string; reason?: string; rollbackId?: string }): Promise<RollbackHandle> {
  const record = await rollbackRecord(catalog, rollbackId);
  if (!record.safetyExportId) throw new RestorepointError('INPUT_INVALID', `rollback "${rollbackId}" took no safety snapshot (it ended ${record.stage} before apply): there is nothing to undo`, { rollbackId });
  return startRollback(client, {
    rollbackId: options.rollbackId,
    source: record.source,
    target: { exportId: record.safetyExportId },
    // A revert names no tables; its safety snapshot holds exactly the ones it touched.
    tables: record.tables.length > 0 ? [...record.tables] : ['*'],
    keys: record.keys,
    // Resolved again against the safety snapshot and live data: the same keys, unless rows matching it changed since (the preview shows them).
    where: record.where,
    mode: 'in-place',
    requestedBy: options.requestedBy,
    reason: options.reason ?? `undo of rollback ${rollbackId}`,
    undoOf: rollbackId,
  });
}
