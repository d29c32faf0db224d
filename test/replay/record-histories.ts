/**
 * Records the replay fixtures in test/replay/histories/: a finished export, a finished
 * restore of it into a schema and a rollback waiting for approval, each run by the workflow code of this checkout on a dev server of
 * its own. Run it (`node --import tsx test/replay/record-histories.ts <suffix>`) before a
 * change to workflow code, and keep the files: the replay test then proves the changed code
 * still replays what the deployed code wrote (docs/observability.md, "Changing workflows").
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyToJson, openedHistory } from './history-json';
import { startRestore } from '../../client/restores';
import { startRollback } from '../../client/rollbacks';
import { exportWorkflowId } from '../../core/export-input';
import { restoreWorkflowId } from '../../core/restore-input';
import { scratchDatabase } from '../support/stack';
import { sql, startRollbackWorld, waitForStage } from '../rollback/rollback-world';

const HISTORIES = path.join(__dirname, 'histories');

async function main(suffix: string): Promise<void> {
  const db = await scratchDatabase('replay');
  await sql(db.url, 'create table item (id int primary key, name text not null); insert into item select g, md5(g::text) from generate_series(1, 500) g');
  const rw = await startRollbackWorld(db.url);
  try {
    const exportId = await rw.exportApp();
    // Payloads sealed by this machine's payload key are opened (and tokens in them redacted), so the files replay anywhere.
    const opened = async (history: Parameters<typeof openedHistory>[0]) => historyToJson(await openedHistory(history, rw.client.temporal.options.loadedDataConverter.payloadCodecs));
    const exported = await rw.client.temporal.workflow.getHandle(exportWorkflowId(exportId)).fetchHistory();
    fs.writeFileSync(path.join(HISTORIES, `export-${suffix}.json`), `${await opened(exported)}\n`);

    const restore = await startRestore(rw.client, { exportId, target: 'app', targetSchema: 'replay_copy', tables: ['item'], requestedBy: 'alice' });
    await restore.result();
    const restored = await rw.client.temporal.workflow.getHandle(restoreWorkflowId(restore.restoreId)).fetchHistory();
    fs.writeFileSync(path.join(HISTORIES, `restore-${suffix}.json`), `${await opened(restored)}\n`);

    await sql(db.url, "update item set name = 'oops' where id <= 50");
    const rollback = await startRollback(rw.client, { source: 'app', target: { exportId }, tables: ['item'], requestedBy: 'alice', reason: 'replay fixture' });
    await waitForStage(rollback, 'awaiting-approval');
    // One refused decision, so the fixture holds an update too.
    await rollback.decide('approve', 'mallory', 'not an approver');
    const waiting = await rw.client.temporal.workflow.getHandle(rollback.workflowId).fetchHistory();
    fs.writeFileSync(path.join(HISTORIES, `rollback-awaiting-approval-${suffix}.json`), `${await opened(waiting)}\n`);
    await rollback.decide('reject', 'bob', 'fixture recorded');
    await rollback.result();
  } finally {
    await rw.close();
    await db.drop();
  }
}

main(process.argv[2] ?? new Date().toISOString().slice(0, 10)).catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
