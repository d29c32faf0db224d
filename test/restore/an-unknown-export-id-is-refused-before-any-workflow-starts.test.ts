import assert from 'node:assert/strict';
import { WorkflowNotFoundError } from '@temporalio/client';
import { after, before, describe, it } from 'node:test';
import { connectClient, type RestorepointClient } from '../../client/connect';
import { startExport } from '../../client/exports';
import { startRestore } from '../../client/restores';
import { startVerification } from '../../client/verifications';
import { isRestorepointError } from '../../core/errors';
import { exportWorkflowId } from '../../core/export-input';
import { restoreWorkflowId } from '../../core/restore-input';
import { verificationWorkflowId } from '../../core/verification/verification-input';
import { sql } from '../export/harness';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { startTestWorld, type TestWorld } from '../support/temporal';

/**
 * Issue 11: a restore, a verification or an incremental export naming an export the catalog
 * does not know is refused with EXPORT_NOT_FOUND by the client, before anything starts: no
 * workflow (no worker runs here at all), no catalog row, no ledger entry.
 */
describe('an unknown export id is refused before any workflow starts', () => {
  let db: ScratchDatabase;
  let world: TestWorld;
  let client: RestorepointClient;

  before(async () => {
    db = await scratchDatabase('unknown_export');
    await sql(db.url, 'create table t (id int primary key)');
    world = await startTestWorld({ app: db.url });
    client = await connectClient(world.config);
  });
  after(async () => {
    await client?.close();
    await world?.close();
    await db?.drop();
  });

  async function assertNotFound(start: Promise<unknown>, workflowId: string): Promise<void> {
    await assert.rejects(start, (error: unknown) => {
      assert.ok(isRestorepointError(error), String(error));
      assert.equal(error.code, 'EXPORT_NOT_FOUND', error.message);
      assert.match(error.message, /no export "no-such-export"/);
      return true;
    });
    await assert.rejects(client.temporal.workflow.getHandle(workflowId).describe(), WorkflowNotFoundError, `${workflowId} was started`);
  }

  it('restore, verify and export --parent name it and start nothing; the catalog and the ledger stay empty', async () => {
    await assertNotFound(startRestore(client, { exportId: 'no-such-export', restoreId: 'r-unknown', target: 'app', requestedBy: 'test' }), restoreWorkflowId('r-unknown'));
    await assertNotFound(startVerification(client, { exportId: 'no-such-export', runId: 'v-unknown', level: 'checksums', requestedBy: 'test' }), verificationWorkflowId('v-unknown'));
    await assertNotFound(
      startExport(client, { exportId: 'child-of-unknown', source: 'app', destination: `gs://restorepoint-unknown-${process.pid}/x`, mode: 'incremental', parentExportId: 'no-such-export', requestedBy: 'test' }),
      exportWorkflowId('child-of-unknown'),
    );
    const recorded = await sql<{ n: number }>(world.config.catalog.url, "select (select count(*) from exports)::int + (select count(*) from ledger where subject in ('no-such-export', 'child-of-unknown', 'r-unknown', 'v-unknown'))::int as n");
    assert.equal(recorded[0]!.n, 0);
  });
});
