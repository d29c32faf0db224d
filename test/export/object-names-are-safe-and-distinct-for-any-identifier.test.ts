import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { objectNames } from '../../core/object-names';
import { isValidKey } from '../../storage/argument-checks';

/** PostgreSQL identifiers: 1 to 63 bytes of anything but NUL. */
const identifier = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((s) => !s.includes('\u0000') && Buffer.byteLength(s) <= 63);
const odd = ['.~x', '~', '..', '.', 'a/b', 'a.b', 'a%2Eb', '"quoted"', "it's", 'tab\tle', 'naïve', '表', '🦆', ' space ', '*', 'a\\b', 'x'.repeat(63)];

describe('object names are valid store keys and distinct for any schema and table name', () => {
  it('keeps ordinary names readable', () => {
    assert.equal(objectNames.part('e1', 'public', 'film_actor', 3, 'csv', 'zstd'), 'e1/data/public.film_actor/part-00003.csv.zst');
  });

  it('makes a valid key of every odd identifier, never a reserved .~ segment', () => {
    for (const schema of odd) for (const table of odd) {
      const key = objectNames.part('e1', schema, table, 0, 'jsonl', 'gzip');
      assert.ok(isValidKey(key), `${JSON.stringify([schema, table])} → ${key}`);
      assert.ok(!key.split('/').some((segment) => segment.startsWith('.')), key);
    }
  });

  it('never gives two different tables the same folder (a.b + c vs a + b.c)', () => {
    assert.notEqual(objectNames.tableFolder('e1', 'a.b', 'c'), objectNames.tableFolder('e1', 'a', 'b.c'));
    fc.assert(
      fc.property(identifier, identifier, identifier, identifier, (s1, t1, s2, t2) => {
        fc.pre(s1 !== s2 || t1 !== t2);
        return objectNames.tableFolder('e', s1, t1) !== objectNames.tableFolder('e', s2, t2);
      }),
      { numRuns: 2000 },
    );
  });

  it('is deterministic and valid for arbitrary identifiers', () => {
    fc.assert(
      fc.property(identifier, identifier, (schema, table) => {
        const key = objectNames.part('e', schema, table, 12, 'csv', 'none');
        return key === objectNames.part('e', schema, table, 12, 'csv', 'none') && isValidKey(key);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps every key segment within a file name (255 bytes) for two 63-byte non-ASCII names, still distinct', () => {
    const long = (letter: string, last: string) => `${letter.repeat(31)}${last}`;
    const key = objectNames.part('e1', long('ñ', 'x'), long('ß', 'y'), 0, 'csv', 'zstd');
    assert.ok(isValidKey(key), key);
    assert.ok(key.split('/').every((segment) => Buffer.byteLength(segment) <= 255), key);
    assert.notEqual(objectNames.tableFolder('e1', long('ñ', 'x'), long('ß', 'y')), objectNames.tableFolder('e1', long('ñ', 'x'), long('ß', 'z')));
    fc.assert(
      fc.property(identifier, identifier, (schema, table) => objectNames.tableFolder('e', schema, table).split('/').every((segment) => Buffer.byteLength(segment) <= 255)),
      { numRuns: 500 },
    );
  });
});
