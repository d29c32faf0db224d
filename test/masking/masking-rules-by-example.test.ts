import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { tableMasks, type LoadedMasking } from '../../activities/export/masking';
import type { ManifestColumn } from '../../core/manifest';
import type { MaskingRule } from '../../core/masking/masking-profile';

const column = (name: string, type: string, extra: Partial<ManifestColumn> = {}): ManifestColumn => ({ name, type, nullable: true, default: null, generated: null, identity: null, ...extra });

/** The mask of one column under `rule`, with `key` (a fresh one by default). */
function maskOf(rule: MaskingRule, col: ManifestColumn, key = randomBytes(32)) {
  const masking: LoadedMasking = { name: 'p', profile: { tables: { t: { [col.name]: rule } } }, key, rulesDigest: '0'.repeat(64), keyId: 'k' };
  return tableMasks(masking, { schema: 'public', name: 't' }, [col]).masks[0]!;
}

describe('masking rules by example', () => {
  it('a keyed hash keeps the type, gives equal outputs for equal inputs under one key, and others under another', () => {
    const key = randomBytes(32);
    const int = maskOf({ hash: true }, column('id', 'integer'), key);
    assert.equal(int('42'), int('42'));
    assert.notEqual(int('42'), int('43'));
    assert.ok(Number(int('42')) >= 1 && Number(int('42')) <= 2 ** 31 - 1);
    assert.notEqual(maskOf({ hash: true }, column('id', 'integer'))('42'), int('42'));
    assert.ok(BigInt(maskOf({ hash: true }, column('id', 'bigint'), key)('42')!) <= 2n ** 63n - 1n);
    assert.match(maskOf({ hash: true }, column('u', 'uuid'), key)('a')!, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(maskOf({ hash: true }, column('e', 'character varying(10)'), key)('x@y.z')!, /^[0-9a-f]{10}$/);
    assert.match(maskOf({ hash: true }, column('e', 'text'), key)('x@y.z')!, /^[0-9a-f]{64}$/);
    assert.equal(int(null), null);
  });

  it('shiftDays crosses months and years, keeps time of day and offset, and leaves infinity', () => {
    const date = maskOf({ shiftDays: -30 }, column('d', 'date'));
    assert.equal(date('2026-01-15'), '2025-12-16');
    assert.equal(date('2024-03-30'), '2024-02-29');
    assert.equal(date('infinity'), 'infinity');
    const ts = maskOf({ shiftDays: 2 }, column('t', 'timestamp with time zone'));
    assert.equal(ts('2026-12-31 23:59:59.123456+00'), '2027-01-02 23:59:59.123456+00');
    assert.throws(() => date('0044-03-15 BC'), /BC dates are not shifted/);
  });

  it('jitterDays moves each value within ±n days, the same value alike', () => {
    const key = randomBytes(32);
    const jitter = maskOf({ jitterDays: 3 }, column('d', 'date'), key);
    const moved = Array.from({ length: 40 }, (_, i) => `2026-05-${String((i % 28) + 1).padStart(2, '0')}`).map((d) => [d, jitter(d)!] as const);
    for (const [from, to] of moved) assert.ok(Math.abs(Date.parse(to) - Date.parse(from)) <= 3 * 86400e3);
    assert.equal(jitter('2026-05-01'), jitter('2026-05-01'));
    assert.ok(new Set(moved.map(([from, to]) => (Date.parse(to) - Date.parse(from)) / 86400e3)).size > 1, 'offsets differ between values');
  });

  it('redact, null and truncate (by characters)', () => {
    assert.equal(maskOf({ redact: 'x' }, column('n', 'text'))('secret'), 'x');
    assert.equal(maskOf({ redact: 'x' }, column('n', 'text'))(null), null);
    assert.equal(maskOf({ null: true }, column('n', 'text'))('secret'), null);
    assert.equal(maskOf({ truncate: 2 }, column('n', 'text'))('Zoë Smith'), 'Zo');
    assert.equal(maskOf({ truncate: 3 }, column('n', 'text'))('Zoë Smith'), 'Zoë');
  });

  it('refuses by name what a column cannot keep', () => {
    assert.throws(() => maskOf({ redact: 'x' }, column('n', 'integer')), /redact cannot keep column "n" a integer/);
    assert.throws(() => maskOf({ null: true }, column('n', 'text', { nullable: false })), /"n" is NOT NULL: use redact or hash/);
    assert.throws(() => maskOf({ hash: true }, column('n', 'numeric(12,2)')), /hash cannot keep column "n" a numeric\(12,2\)/);
    assert.throws(() => maskOf({ shiftDays: 1 }, column('n', 'text')), /shiftDays cannot keep/);
    assert.throws(() => maskOf({ truncate: 1 }, column('g', 'text', { generated: 'upper(n)' })), /"g" is generated from other columns: mask those instead/);
  });
});
