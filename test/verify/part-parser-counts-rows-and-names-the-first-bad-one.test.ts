import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it } from 'node:test';
import { PartParser } from '../../activities/verify/part-parser';

/** Parses `text` fed in chunks of `size` bytes, so row and quote boundaries fall anywhere. */
async function parse(format: 'csv' | 'jsonl', columns: number, text: string, size: number) {
  const bytes = Buffer.from(text);
  const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
  const parser = new PartParser(format, columns);
  await pipeline(Readable.from(chunks), parser);
  const { fingerprint, ...rest } = parser.result();
  assert.match(fingerprint.sum, /^[0-9a-f]{16}$/);
  return rest;
}

describe('the decode level parses parts as COPY wrote them, in chunks of any size', () => {
  const csv = '1,"a, b",x\n2,"multi\nline ""quoted""",\n3,,""\n';

  it('counts CSV rows, with quoted delimiters, newlines and doubled quotes inside fields', async () => {
    for (const size of [1, 2, 3, 7, 1000]) assert.deepEqual(await parse('csv', 3, csv, size), { rows: 3 });
  });

  it('names the first CSV row whose field count differs from the columns', async () => {
    const result = await parse('csv', 3, '1,a,b\n2,a\n3,a,b,c\n', 4);
    assert.equal(result.rows, 3);
    assert.equal(result.error, 'row 2 has 2 fields, the table has 3 columns');
  });

  it('refuses a part cut inside a quoted field or mid-row', async () => {
    assert.match((await parse('csv', 2, '1,"open\n', 3)).error ?? '', /inside a quoted field/);
    assert.match((await parse('csv', 2, '1,a\n2,', 3)).error ?? '', /2 bytes after the last complete row/);
  });

  it('counts JSON-lines rows and names the first that is not a JSON object', async () => {
    const lines = '{"id":1,"t":"a\\nb"}\n{"id":2}\n';
    for (const size of [1, 5, 1000]) assert.deepEqual(await parse('jsonl', 2, lines, size), { rows: 2 });
    assert.match((await parse('jsonl', 2, '{"id":1}\n{"id":\n[1]\n', 4)).error ?? '', /^row 2 is not JSON/);
    assert.equal((await parse('jsonl', 2, '{"id":1}\n[1]\n', 4)).error, 'row 2 is not a JSON object');
  });

  it('fingerprints the rows as the export does: in any chunking, in any row order', async () => {
    const fingerprint = async (text: string, size: number) => {
      const bytes = Buffer.from(text);
      const parser = new PartParser('csv', 3);
      await pipeline(Readable.from(Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size))), parser);
      return parser.result().fingerprint;
    };
    const reordered = '3,,""\n1,"a, b",x\n2,"multi\nline ""quoted""",\n';
    const expected = await fingerprint(csv, 1000);
    assert.equal(expected.rows, 3);
    for (const size of [1, 4]) assert.deepEqual(await fingerprint(csv, size), expected);
    assert.deepEqual(await fingerprint(reordered, 3), expected);
    assert.notDeepEqual(await fingerprint(csv.replace('x', 'y'), 1000), expected);
  });

  it('an empty part holds no rows and no error', async () => {
    assert.deepEqual(await parse('csv', 3, '', 1), { rows: 0 });
  });
});
