import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from '@temporalio/worker';
import { historyFromJson } from './history-json';

const HISTORIES = path.join(__dirname, 'histories');

/**
 * Every history in test/replay/histories/ was written by an earlier version of the workflow
 * code (test/replay/record-histories.ts). Replaying it against this checkout's code fails
 * with a nondeterminism error when a change would break a workflow that is running during a
 * deploy: e.g. a rollback waiting days for its approval.
 */
describe('recorded workflow histories replay against the current workflow code', () => {
  const files = fs.readdirSync(HISTORIES).filter((f) => f.endsWith('.json')).sort();

  it('holds a finished export, a finished restore and a rollback waiting for approval', () => {
    assert.ok(files.some((f) => f.startsWith('export-')));
    assert.ok(files.some((f) => f.startsWith('restore-')));
    assert.ok(files.some((f) => f.startsWith('rollback-awaiting-approval-')));
  });

  it('replays each without a nondeterminism error', async () => {
    const histories = files.map((file) => ({ workflowId: file, history: historyFromJson(fs.readFileSync(path.join(HISTORIES, file), 'utf8')) }));
    const failures: string[] = [];
    for await (const result of Worker.runReplayHistories({ workflowsPath: require.resolve('../../workflows'), replayName: 'restorepoint-replay' }, histories)) {
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    assert.deepEqual(failures, []);
  });
});
