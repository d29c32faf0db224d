import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Readable } from 'node:stream';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { CopyOutReader, type CopyRows } from '../../streams/copy-out-reader';
import { fingerprintCsvRows, RowFingerprint } from '../../streams/row-fingerprint';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';

describe('the COPY reader yields whole rows with their count, and hands the connection back to pg', () => {
  let db: ScratchDatabase;
  let client: pg.Client;

  before(async () => {
    db = await scratchDatabase('copyreader');
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
    // Quotes and newlines inside fields, and rows long enough to straddle socket reads.
    await client.query(`create table t as select g as id, repeat('x', g % 3000) || E'\\n"q",' || g as note from generate_series(1, 20000) g`);
  });

  after(async () => {
    await client?.end();
    await db?.drop();
  });

  const sql = 'copy t to stdout (format csv)';

  it('gives the same bytes as pg-copy-streams, every chunk ending at a row end, and the server count', async () => {
    const reader = client.query(new CopyOutReader(sql));
    const chunks: CopyRows[] = [];
    for await (const chunk of reader as AsyncIterable<CopyRows>) chunks.push(chunk);
    const reference: Buffer[] = [];
    for await (const chunk of client.query(copyTo(sql)) as AsyncIterable<Buffer>) reference.push(chunk);

    assert.ok(Buffer.concat(chunks.map((c) => c.data)).equals(Buffer.concat(reference)));
    assert.equal(chunks.reduce((sum, c) => sum + c.rows, 0), 20000);
    assert.equal(reader.rowCount, 20000);
    for (const chunk of chunks) assert.equal(chunk.data[chunk.data.length - 1], 0x0a);
  });

  it('fingerprints the rows from their messages exactly as a scan of the CSV does', async () => {
    const chunks: CopyRows[] = [];
    for await (const chunk of client.query(new CopyOutReader(sql, { chunkBytes: 7000, fingerprint: true })) as AsyncIterable<CopyRows>) chunks.push(chunk);
    const merged = new RowFingerprint();
    for (const chunk of chunks) {
      assert.equal(chunk.fingerprint!.result().rows, chunk.rows);
      merged.merge(chunk.fingerprint!);
    }
    assert.deepEqual(merged.result(), await fingerprintCsvRows(Readable.from(chunks.map((c) => c.data))));
    assert.equal(merged.result().rows, 20000);
  });

  it('ends an empty COPY with no chunks', async () => {
    const reader = client.query(new CopyOutReader('copy (select 1 where false) to stdout'));
    let chunks = 0;
    for await (const _chunk of reader) chunks += 1;
    assert.equal(chunks, 0);
    assert.equal(reader.rowCount, 0);
  });

  it('fails with the server error when the COPY fails midway, and the client works afterwards', async () => {
    const failing = client.query(new CopyOutReader('copy (select 1 / (g - 15000) from generate_series(1, 20000) g) to stdout'));
    await assert.rejects(
      (async () => {
        for await (const _chunk of failing) continue;
      })(),
      /division by zero/,
    );
    assert.deepEqual((await client.query('select 42 as answer')).rows, [{ answer: 42 }]);
  });
});
