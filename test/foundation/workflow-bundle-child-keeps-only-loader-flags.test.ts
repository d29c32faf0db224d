import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loaderFlags } from '../../worker/workflow-bundle';

/**
 * Incidents: `--test-name-pattern VALUE` and `npm run bench -- --profile` (`--cpu-prof-dir <dir>`) left a
 * separate value to the bundle child, which took it for its script, so the worker never started.
 */
describe('the workflow bundle child gets only the flags that load TypeScript', () => {
  it('keeps loaders in either form, with their values', () => {
    assert.deepEqual(loaderFlags(['--import', 'tsx', '--require=x', '--conditions', 'dev']), ['--import', 'tsx', '--require=x', '--conditions', 'dev']);
  });

  it("drops a test runner's, a profiler's and a debugger's flags and their separate values", () => {
    assert.deepEqual(loaderFlags(['--test-name-pattern', 'a preview', '--import', 'tsx', '--cpu-prof', '--inspect=9229', '--test-timeout=5']), ['--import', 'tsx']);
    assert.deepEqual(loaderFlags(['--cpu-prof-dir', '/tmp/profiles', '--heap-prof-name', 'h.heapprofile', '--import', 'tsx']), ['--import', 'tsx']);
  });
});
