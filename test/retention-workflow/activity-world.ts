import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createRetentionActivities } from '../../activities/retention';
import { markExport, upsertExport } from '../../catalog/exports-repo';
import { getRetentionRun, type RetentionRunRecord } from '../../catalog/retention-runs-repo';
import { configSchema } from '../../config/schema';
import { objectNames } from '../../core/object-names';
import type { RetentionPolicyInput } from '../../core/retention';
import type { RetentionApplied } from '../../core/retention-run-input';
import { openStore } from '../../storage/open-store';
import type { ObjectStore } from '../../storage/object-store';
import { freshCatalog, type FreshCatalog } from '../catalog/fresh-catalog';

/**
 * Retention's activities alone on a real catalog and a real folder, with Temporal's "is this
 * workflow running" answered "no": for behaviours that need no worker.
 */
export interface RetentionActivityWorld {
  readonly catalog: FreshCatalog;
  readonly folder: string;
  readonly destination: string;
  readonly store: ObjectStore;
  /** A succeeded full export `daysOld` days old, with a manifest and one part in the folder (or at `destination`). */
  seed(id: string, daysOld: number, options?: { readonly destination?: string; readonly tables?: readonly string[] }): Promise<void>;
  plan(policy: RetentionPolicyInput): Promise<RetentionRunRecord>;
  deleteBatch(planId: string): Promise<RetentionApplied>;
  removeOrphans(planId: string): Promise<RetentionApplied>;
  finish(planId: string, applied: RetentionApplied, error?: string): Promise<RetentionApplied>;
  close(): Promise<void>;
}

export async function retentionActivityWorld(): Promise<RetentionActivityWorld> {
  const catalog = await freshCatalog();
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-retention-'));
  const destination = pathToFileURL(folder).href;
  const config = configSchema.parse({ catalog: { url: catalog.url }, temporal: {}, gcs: {}, worker: {}, export: {} });
  const activities = createRetentionActivities({ config, catalog: catalog.db, openStore: (d) => openStore(d, config.gcs), clock: () => new Date() }, () => ({
    isRunning: async () => false,
  }));
  const env = new MockActivityEnvironment();
  const store = openStore(destination, config.gcs);
  let round = 0;
  return {
    catalog,
    folder,
    destination,
    store,
    async seed(id, daysOld, options = {}) {
      const at = options.destination ?? destination;
      await upsertExport(catalog.db, { id, mode: 'full', source: 'shop', destination: at, format: 'csv', compression: 'none', requestedBy: 'test' });
      await markExport(catalog.db, id, 'running');
      await markExport(catalog.db, id, 'succeeded');
      await catalog.db('exports')
        .where({ id })
        .update({ created_at: catalog.db.raw(`now() - make_interval(days => ?)`, [daysOld]), tables: JSON.stringify(options.tables ?? ['public.orders']) });
      if (at === destination) {
        await store.putBytes(objectNames.manifest(id), Buffer.from('{}'));
        await store.putBytes(`${id}/data/public.orders/part-00000.csv`, Buffer.from('1,tea\n'));
      }
    },
    async plan(policy) {
      const planId = `plan-${++round}`;
      await env.run(activities.planRetentionRun, { planId, policy, dryRun: false, requestedBy: 'test' });
      return (await getRetentionRun(catalog.db, planId))!;
    },
    deleteBatch: async (planId) => (await env.run(activities.applyRetentionBatch, { planId, kind: 'delete' as const, offset: 0, limit: 50, actor: 'test' })) as RetentionApplied,
    removeOrphans: async (planId) => (await env.run(activities.removePlannedOrphans, { planId, actor: 'test' })) as RetentionApplied,
    finish: async (planId, applied, error) => (await env.run(activities.finishRetentionRun, { planId, actor: 'test', applied, ...(error === undefined ? {} : { error }) })) as RetentionApplied,
    async close() {
      await catalog.close();
      fs.rmSync(folder, { recursive: true, force: true });
    },
  };
}
