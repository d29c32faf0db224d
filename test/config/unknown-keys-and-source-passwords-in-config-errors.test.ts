import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { loadConfig } from '../../config/load';

/** Issue 18: unknown config keys were ignored, and a config error about a source printed its password. */
describe('configuration refuses unknown keys by name and never prints a source password', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-config-'));
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  function refusal(config: unknown, env: Record<string, string> = {}): Error & { code?: string } {
    const file = path.join(folder, `${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify(config));
    try {
      loadConfig({ RESTOREPOINT_CONFIG: file, RESTOREPOINT_CATALOG_URL: 'postgres://rp@127.0.0.1/catalog', RESTOREPOINT_HOME: folder, ...env });
    } catch (error) {
      return error as Error & { code?: string };
    }
    throw new Error('the configuration was accepted');
  }

  it('names each unknown key with its path, at every level', () => {
    const error = refusal({ temporal: { adress: '127.0.0.1:7233' }, export: { concurency: 2 }, sources: { app: { url: 'postgres://a@h/db', maxConections: 2 } }, colour: 'blue' });
    assert.equal(error.code, 'CONFIG_INVALID');
    for (const key of ['temporal.adress', 'export.concurency', 'sources.app.maxConections', 'colour']) {
      assert.match(error.message, new RegExp(`${key.replace(/\./g, '\\.')}: unknown configuration key`), key);
    }
  });

  it('accepts a configuration of known keys only', () => {
    const file = path.join(folder, 'good.json');
    fs.writeFileSync(file, JSON.stringify({ sources: { app: { url: 'postgres://a@h/db', maxConnections: 2 } }, export: { concurrency: 3 } }));
    const config = loadConfig({ RESTOREPOINT_CONFIG: file, RESTOREPOINT_CATALOG_URL: 'postgres://rp@127.0.0.1/catalog', RESTOREPOINT_HOME: folder });
    assert.equal(config.export.concurrency, 3);
    assert.equal(config.sources.app!.maxConnections, 2);
  });

  it('never prints a password, wherever the bad source value sits', () => {
    const secret = 'hunter2-not-for-logs';
    const cases: unknown[] = [
      { sources: { app: `postgres://alice:${secret}@db/app` } },
      { sources: { app: { url: `postgres://alice:${secret}@db/app`, uri: `postgres://alice:${secret}@db/app` } } },
      { sources: { App: { url: `postgresql://alice:${secret}@db/app` } } },
      { sources: { app: { url: `host=db password=${secret} dbname=app` } } },
      { sources: { app: { url: `postgres://alice:${secret}@db/app`, maxConnections: 'many' } } },
    ];
    for (const config of cases) {
      const error = refusal(config);
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.ok(!error.message.includes(secret), error.message);
    }
    const fromEnv = refusal({}, { RESTOREPOINT_SOURCE_APP: `mysql://alice:${secret}@db/app` });
    assert.ok(!fromEnv.message.includes(secret), fromEnv.message);
  });
});
