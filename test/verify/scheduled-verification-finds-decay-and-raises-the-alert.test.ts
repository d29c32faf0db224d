import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getExport } from '../../catalog/exports-repo';
import { listLedger } from '../../catalog/ledger';
import type { ScheduledVerificationRequest } from '../../core/verification/verification-input';
import { serviceRolesFor } from '../../identity/service-roles';
import type { ScheduledVerificationSummary } from '../../workflows/verify-scheduled-workflow';
import { exportWorld, sql, type ExportWorld } from '../export/harness';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { partKeys, withWorldCatalog } from './verify-support';

/**
 * scheduledVerificationWorkflow, started by name with the input a Temporal Schedule gives
 * it: first it verifies what was never verified, later it samples older exports in full,
 * finds a part that decayed in the meantime, and raises the alert without a person.
 */
describe('a scheduled verification verifies new exports, samples older ones and raises the alert on decay', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-scheduled-verify-'));
  let runs = 0;

  // As a Temporal Schedule starts it: the input, then the schedule's service credential (verifier on every source).
  const runScheduled = async (input: ScheduledVerificationRequest) =>
    w.client.temporal.workflow.execute('scheduledVerificationWorkflow', {
      taskQueue: w.world.taskQueue,
      workflowId: `scheduled-verify-${(runs += 1)}`,
      args: [input, { credential: await w.client.serviceCredential('reverify', serviceRolesFor('verify', '*')) }],
    }) as Promise<ScheduledVerificationSummary>;

  before(async () => {
    source = await scratchDatabase('sched_verify');
    await sql(source.url, 'create table t (id int primary key, v text)', `insert into t select g, md5(g::text) from generate_series(1, 2000) g`);
    w = await exportWorld({ src: source.url });
    for (const exportId of ['first', 'second']) await w.exportNow({ exportId, source: 'src', destination: `file://${folder}` });
  });

  after(async () => {
    await w?.close();
    await source?.drop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('verifies the never-verified exports first, then samples the least recently verified, and alerts on a corrupt one', async () => {
    const first = await runScheduled({ level: 'checksums', sampleOlder: 0, requestedBy: 'schedule:test' });
    assert.deepEqual([first.due, first.deferred, first.sample, first.passed, first.corrupt], [['first', 'second'], 0, [], ['first', 'second'], []]);

    // A part of the least recently verified export decays in storage.
    const store = w.store(`file://${folder}`);
    const victim = (await partKeys(store, 'first', 't'))[0]!;
    const bytes = await store.getBytes(victim);
    bytes[bytes.length - 3] ^= 0x20;
    await store.putBytes(victim, bytes);

    const second = await runScheduled({ level: 'checksums', sampleOlder: 1 });
    assert.deepEqual([second.due, second.sample, second.corrupt, second.errored], [[], ['first'], ['first'], []]);

    await withWorldCatalog(w, async (db) => {
      assert.equal((await getExport(db, 'first'))!.verificationStatus, 'corrupt');
      const alerts = await listLedger(db, { subject: 'first', action: 'alert.export-corrupt' });
      assert.equal(alerts.length, 1);
      assert.equal(alerts[0]!.actor, 'schedule:reverify', 'raised by the schedule\'s verified service identity');
      assert.ok(JSON.stringify(alerts[0]!.details).includes(victim));
    });

    // The corrupt export is left for a person; the next sample is the other one.
    const third = await runScheduled({ level: 'checksums', sampleOlder: 1 });
    assert.deepEqual([third.due, third.sample, third.passed], [[], ['second'], ['second']]);
  });
});
