import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { listLedger } from '../../catalog/ledger';
import { objectNames } from '../../core/object-names';
import type { RetentionPolicyInput } from '../../core/retention';
import { readRetentionRun, runRetention } from '../../client/retention';
import { AWKWARD_DATABASE, LINES, SALES } from '../export/awkward-database';
import { retentionWorld, type RetentionWorld } from './world';

/**
 * Issue 11 item 2 for retention: an export of schemas and tables named with capitals, spaces,
 * dots, quotes, unicode and 63 bytes is planned for deletion by its age like any other, and the
 * run deletes exactly its objects — every one, and none of the export it keeps.
 */
describe('an export of awkwardly named schemas is planned and deleted exactly', () => {
  let w: RetentionWorld;
  const gcs = `gs://restorepoint-retention-awkward-${process.pid}/backups`;
  const policy: RetentionPolicyInput = { keepLast: 1, minAgeDays: 1 };
  let older: string;
  let newer: string;

  before(async () => {
    w = await retentionWorld(AWKWARD_DATABASE);
    older = await w.exportTo(gcs);
    newer = await w.exportTo(gcs);
    await w.age(older, 3);
    await w.age(newer, 2);
  });
  after(async () => {
    await w?.close();
  });

  it('the dry run condemns the older export and keeps the newer; the run deletes every object of the one and none of the other', async () => {
    const olderObjects = await w.objectsOf(older, gcs);
    const newerObjects = await w.objectsOf(newer, gcs);
    const linesFolder = objectNames.tableFolder(older, SALES, LINES);
    assert.ok(olderObjects.some((k) => k.startsWith(linesFolder)), `the awkward tables' parts are stored: ${olderObjects.join(', ')}`);

    const dry = await runRetention(w.exports.client, { policy, dryRun: true, requestedBy: 'retention-test' });
    const { plan } = await readRetentionRun(w.catalog, dry.planId);
    const decision = (id: string) => plan.exports.find((e) => e.exportId === id);
    assert.equal(`${decision(older)?.action.kind} ${decision(older)?.rule.code}`, 'delete expired');
    assert.equal(`${decision(newer)?.action.kind} ${decision(newer)?.rule.code}`, 'keep keep-last');
    assert.deepEqual(await w.objectsOf(older, gcs), olderObjects, 'a dry run deletes nothing');

    const run = await runRetention(w.exports.client, { policy, dryRun: false, requestedBy: 'retention-test' });
    assert.equal(run.applied.deleted, 1);
    assert.deepEqual(await w.objectsOf(older, gcs), []);
    assert.deepEqual(await w.objectsOf(newer, gcs), newerObjects);
    const [deleted] = await listLedger(w.catalog, { action: 'retention.deleted', subject: older });
    assert.equal(deleted?.details.objectsDeleted, olderObjects.length);
    assert.equal(((await w.catalog('exports').where({ id: older }).first('status')) as { status: string }).status, 'deleted');
  });
});
