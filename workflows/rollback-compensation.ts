import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PreparedScope } from '../activities/rollback';
import type { RollbackStep } from '../activities/rollback/rollback-steps';
import { safetyExportId, stagingSchemaName, type RollbackInput } from '../core/rollback/rollback-input';
import type { RollbackStage } from '../core/rollback/rollback-state';
import { dataActivity } from './activity-profiles';

const data = proxyActivities<Activities>(dataActivity);

export interface CompensationContext {
  readonly input: RollbackInput;
  readonly scope: PreparedScope;
  /** Live fingerprints right after apply: if live data moved on since, compensation stops rather than overwrite it. */
  readonly expectedLive: Readonly<Record<string, string>>;
  readonly reason: string;
  move(next: RollbackStage, outcome?: string): Promise<void>;
  record(step: Omit<RollbackStep, 'rollbackId' | 'actor'>): Promise<unknown>;
}

/**
 * Puts the scope back to the safety snapshot after a failure once live data had changed:
 * the same prepare, apply and validate steps, aimed at the snapshot. Runs in a
 * non-cancellable scope (the caller's). A failed step is recorded and the rollback ends
 * `failed` naming it; nothing is swallowed.
 */
export async function compensate(ctx: CompensationContext): Promise<void> {
  const { input } = ctx;
  const schema = stagingSchemaName(input.rollbackId, 'compensate');
  const snapshot = safetyExportId(input.rollbackId);
  await ctx.move('compensating', `restoring the safety snapshot ${snapshot}: ${ctx.reason}`);
  let step = 'prepare';
  try {
    const prepared = await data.prepareRollback({ rollbackId: input.rollbackId, source: input.source, exportId: snapshot, tables: ctx.scope.tables.map((t) => `${t.schema}.${t.name}`), keys: input.keys, where: input.where, stagingSchema: schema, requestedBy: input.requestedBy });
    step = 'apply';
    const applied = await data.applyRollback({ rollbackId: input.rollbackId, source: input.source, stagingSchema: schema, tables: prepared.tables, sequences: prepared.sequences, expectedLive: ctx.expectedLive, batchRows: input.batchRows, lockTimeoutSeconds: input.lockTimeoutSeconds });
    await ctx.record({ action: 'rollback.compensation.applied', outcome: 'ok', details: { deleted: applied.deleted, upserted: applied.upserted } });
    step = 'validate';
    const validation = await data.validateRollback({ rollbackId: input.rollbackId, source: input.source, stagingSchema: schema, tables: prepared.tables, compareLive: true });
    if (!validation.ok) throw new Error(`live data differs from the safety snapshot after compensation: ${JSON.stringify(validation.differences)}`);
    await ctx.record({ action: 'rollback.compensated', outcome: 'ok', details: { safetyExportId: snapshot, fingerprints: validation.fingerprints } });
    await ctx.move('compensated', `failed after apply (${ctx.reason}); live data was put back to the safety snapshot ${snapshot}`);
  } catch (error) {
    const message = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    await ctx.record({ action: `rollback.compensation.${step}.failed`, outcome: 'failed', details: { error: message, safetyExportId: snapshot } });
    await ctx.move('failed', `failed after apply (${ctx.reason}) and compensation step ${step} failed: ${message}; restore ${snapshot} by hand`);
  } finally {
    await data.dropStaging({ source: input.source, schema });
  }
}
