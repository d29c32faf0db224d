import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RowScanner } from '../../streams/row-scanner';

/** CSV fields as PostgreSQL writes them: plain, or quoted with "" escapes and raw newlines inside. */
const field = fc.oneof(
  fc.stringMatching(/^[a-z0-9 ]{0,6}$/),
  fc.array(fc.constantFrom('a', ',', '\n', '""', ' '), { maxLength: 6 }).map((parts) => `"${parts.join('')}"`),
);
const rows = fc.array(fc.array(field, { minLength: 1, maxLength: 4 }).map((fields) => `${fields.join(',')}\n`), { maxLength: 12 });

function cut(bytes: Buffer, sizes: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i += 1) {
    const size = sizes.length ? sizes[i % sizes.length]! : bytes.length;
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

describe('the row scanner finds exactly the row ends, however the bytes are chunked', () => {
  it('counts every row and ends the last one at the end of the data', () => {
    fc.assert(
      fc.property(rows, fc.array(fc.integer({ min: 1, max: 9 }), { maxLength: 5 }), (list, sizes) => {
        const bytes = Buffer.from(list.join(''));
        const scanner = new RowScanner();
        let counted = 0;
        let offset = 0;
        let lastEnd = -1;
        for (const chunk of cut(bytes, sizes)) {
          const { rows: found, lastRowEnd } = scanner.scan(chunk);
          counted += found;
          if (lastRowEnd !== -1) lastEnd = offset + lastRowEnd;
          offset += chunk.length;
        }
        assert.equal(counted, list.length);
        assert.equal(lastEnd, list.length ? bytes.length : -1);
      }),
    );
  });

  it('stops after `limit` rows at a row end, and scanning the rest continues from there', () => {
    fc.assert(
      fc.property(rows, fc.integer({ min: 1, max: 4 }), (list, limit) => {
        const bytes = Buffer.from(list.join(''));
        const scanner = new RowScanner();
        let rest = bytes;
        let counted = 0;
        for (;;) {
          const { rows: found, lastRowEnd } = scanner.scan(rest, limit);
          counted += found;
          if (found < limit || lastRowEnd === -1) break;
          assert.equal(rest[lastRowEnd - 1], 0x0a);
          rest = rest.subarray(lastRowEnd);
        }
        assert.equal(counted, list.length);
      }),
    );
  });
});
