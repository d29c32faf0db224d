import assert from 'node:assert/strict';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CopyOutReader, type CopyRows } from '../../streams/copy-out-reader';
import { csvRowMasker } from '../../streams/csv-mask';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';

describe('CSV masking keeps unmasked bytes and prints masked values as PostgreSQL does', () => {
  it('decodes quoted fields (commas, quotes, newlines), tells NULL from the empty string, and leaves other columns byte for byte', () => {
    const upper = (v: string | null) => (v === null ? null : v.toUpperCase());
    const chunk = Buffer.from('1,"a,b",x\n2,"say ""hi""\nthere",\n3,,""\n4,"",plain\n');
    assert.equal(csvRowMasker([undefined, upper, undefined])(chunk).toString(), '1,"A,B",x\n2,"SAY ""HI""\nTHERE",\n3,,""\n4,"",plain\n');
    assert.equal(csvRowMasker([undefined, () => null, () => 'a"b'])(chunk).toString(), '1,,"a""b"\n2,,"a""b"\n3,,"a""b"\n4,,"a""b"\n');
  });

  describe('against a real COPY', () => {
    let db: ScratchDatabase;
    let client: pg.Client;
    before(async () => {
      db = await scratchDatabase('csvmask');
      client = new pg.Client({ connectionString: db.url });
      await client.connect();
      await client.query(`create table t (id int, note text, other text);
        insert into t values (1, 'plain', 'x'), (2, '', null), (3, null, 'a,b'), (4, 'quote "q"', e'line\\nbreak'), (5, '\\.', 'é'), (6, ' pad ', e'cr\\r')`);
    });
    after(async () => {
      await client?.end();
      await db?.drop();
    });

    const copyOut = async (table: string) => {
      const chunks: Buffer[] = [];
      for await (const chunk of client.query(new CopyOutReader(`copy ${table} to stdout (format csv)`)) as AsyncIterable<CopyRows>) chunks.push(chunk.data);
      return Buffer.concat(chunks);
    };

    it('an identity mask on every column gives back COPY’s own bytes', async () => {
      const copied = await copyOut('t');
      const same = (v: string | null) => v;
      assert.ok(csvRowMasker([same, same, same])(copied).equals(copied));
    });

    it('masked rows COPY in and out again as the same bytes (so a restored copy fingerprints the same)', async () => {
      const masked = csvRowMasker([undefined, (v) => (v === null ? null : `${v},!`), (v) => (v === null ? '' : v.slice(0, 2))])(await copyOut('t'));
      await client.query('create table m (id int, note text, other text)');
      await pipeline(Readable.from([masked]), client.query(copyFrom('copy m from stdin (format csv)')));
      assert.ok((await copyOut('m')).equals(masked));
    });
  });
});
