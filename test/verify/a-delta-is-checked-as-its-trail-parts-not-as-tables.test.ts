import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectedObjects } from '../../activities/verify/expected-objects';
import { fromDeltaManifest } from '../../activities/verify/verifiable-manifest';
import type { ExportFileRecord } from '../../catalog/export-records';
import { DELTA_TABLE_KEY, type DeltaManifest } from '../../core/restore-points';

const sha = (c: string) => c.repeat(64);
const part = (partNo: number, rows: number) => ({ key: `d1/trail/part-0000${partNo}.jsonl.zst`, partNo, rows, bytes: 100 + partNo, sha256: sha(String(partNo)), crc32c: `crc${partNo}` });

const delta = {
  format: 'jsonl',
  compression: 'zstd',
  trail: { from: { position: 10, hash: sha('a') }, to: { position: 25, hash: sha('b') }, entries: 15, asOf: '2026-11-22T08:00:00.000Z' },
  tables: [{ schema: 'public', name: 'film', changes: { insert: 15, update: 0, delete: 0, truncate: 0 } }],
  parts: [part(0, 10), part(1, 5)],
} as unknown as DeltaManifest;

const file = (p: ReturnType<typeof part>): ExportFileRecord => ({
  exportId: 'd1',
  objectKey: p.key,
  tableName: DELTA_TABLE_KEY,
  partNo: p.partNo,
  rows: p.rows,
  bytes: p.bytes,
  sha256: p.sha256,
  crc32c: p.crc32c,
  createdAt: new Date(),
});

/** An incremental export's manifest has no per-table parts: its parts are the trail's range, catalogued under one key. */
describe('a delta export is verified as its trail parts', () => {
  it('expects every trail part, as the catalog records them, with no disagreement and no DDL', () => {
    const { objects, disagreements } = expectedObjects(delta.parts.map(file), fromDeltaManifest(delta));
    assert.deepEqual(disagreements, []);
    assert.deepEqual(objects.map((o) => [o.key, o.kind, o.table?.name]), delta.parts.map((p) => [p.key, 'part', DELTA_TABLE_KEY]));
  });

  it('the trail total is the range’s entry count, so a part count edited in one record is named', () => {
    const verifiable = fromDeltaManifest(delta);
    assert.equal(verifiable.tables[0]!.rows, verifiable.tables[0]!.parts.reduce((s, p) => s + p.rows, 0));
    const { disagreements } = expectedObjects([file(part(0, 10)), { ...file(part(1, 5)), rows: 4 }], verifiable);
    assert.deepEqual(disagreements, [{ key: part(1, 5).key, kind: 'part', status: 'catalog mismatch', field: 'rows', catalog: 4, manifest: 5 }]);
  });
});
