import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportSummarySchema } from '../../core/retention';
import { full } from './examples';

describe('the export summary schema', () => {
  it('accepts a catalog export, dropping the tags a policy cannot scope by', () => {
    const parsed = exportSummarySchema.parse({ ...full('x', '2026-11-22T12:00:00+01:00'), tags: { environment: 'prod', purpose: 'nightly' } });
    assert.deepEqual(parsed.tags, { environment: 'prod' });
  });

  it('refuses an unknown storage class or a creation time without a zone', () => {
    assert.equal(exportSummarySchema.safeParse({ ...full('x', '2026-11-22T12:00:00Z'), storageClass: 'MULTI_REGIONAL' }).success, false);
    assert.equal(exportSummarySchema.safeParse(full('x', '2026-11-22 12:00')).success, false);
  });
});
