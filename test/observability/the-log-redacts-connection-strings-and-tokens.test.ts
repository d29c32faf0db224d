import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../observability/log';

describe('the log redacts connection strings and tokens', () => {
  const collect = (level: 'debug' | 'info' | 'warn' = 'info') => {
    const lines: string[] = [];
    return { lines, log: createLogger({ level, name: 'test', write: (line) => lines.push(line) }) };
  };

  it('keeps the host of a URL and drops its password, in fields, messages and errors', () => {
    const { lines, log } = collect();
    log.info({ url: 'postgres://app:hunter2@db.internal:5432/app', nested: { conn: 'host=db password=hunter2 dbname=app' } }, 'connecting to postgresql://app:hunter2@db.internal/app');
    log.error({ err: new Error('connect failed for postgres://app:hunter2@db.internal/app') }, 'export failed');
    const text = lines.join('');
    assert.doesNotMatch(text, /hunter2/);
    assert.match(text, /postgres:\/\/app:\*\*\*@db\.internal:5432\/app/);
    assert.match(JSON.parse(lines[1]!).err.message, /connect failed for postgres:\/\/app:\*\*\*@db\.internal\/app/);
  });

  it('censors tokens, secrets and authorization headers at any depth', () => {
    const { lines, log } = collect();
    log.info({ token: 'eyJhbGciOi.payload.sig', deep: { clientSecret: 's3', headers: { authorization: 'Bearer eyJabc' } } }, 'called with Bearer eyJabc.def');
    const text = lines.join('');
    for (const secret of ['eyJhbGciOi', 's3"', 'eyJabc']) assert.ok(!text.includes(secret), secret);
  });

  it('writes one JSON line per record and honours the level', () => {
    const { lines, log } = collect('warn');
    log.info('not written');
    log.warn({ table: 'film' }, 'written');
    assert.equal(lines.length, 1);
    const record = JSON.parse(lines[0]!);
    assert.deepEqual([record.level, record.msg, record.table], ['warn', 'written', 'film']);
    assert.match(record.time, /^\d{4}-\d\d-\d\dT/);
  });
});
