import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loaderFlags } from '../../worker/workflow-bundle';

// Incident: `npm run bench -- --profile` started the worker with `--cpu-prof --cpu-prof-dir <dir>`;
// the bundle child kept `<dir>` and ran it as its script, so the worker never started.
test('the workflow bundle child keeps the loader flags and drops profiler flags with their values', () => {
  assert.deepEqual(loaderFlags(['--import', 'tsx', '--cpu-prof', '--cpu-prof-dir', '/tmp/profiles']), ['--import', 'tsx']);
  assert.deepEqual(loaderFlags(['--cpu-prof-dir=/tmp/p', '--heap-prof-name', 'h.heapprofile', '--import', 'tsx']), ['--import', 'tsx']);
});
