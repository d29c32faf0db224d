import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { serve, type ServerType } from '@hono/node-server';
import { startRollback } from '../../client/rollbacks';
import { codecApp } from '../../identity/codec-server';
import { payloadCodecs } from '../../identity/payload-codec';
import { temporalCli } from '../../stack/tools';
import { sql, startRollbackWorld, waitForStage, type RollbackWorld } from '../rollback/rollback-world';
import { tokenFor } from '../support/identity';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';

/** Row values that reach the rollback's input (a predicate, keys) and would reach preview samples (before and after values) if they travelled. */
const SENTINELS = {
  predicate: 'sentinel-predicate-q8v1@example.com',
  key: 'SENTINEL-KEY-z3k9',
  before: 'sentinel-before-m2x7',
  after: 'sentinel-after-p5w4',
} as const;

/** Every string of a history as it is and base64-decoded (payload bytes are shown as base64), and every byte array. */
function historyText(history: unknown): string {
  const strings: string[] = [];
  JSON.stringify(history, (_key, value: unknown) => {
    if (typeof value === 'string') strings.push(value, Buffer.from(value, 'base64').toString('latin1'));
    if (value instanceof Uint8Array) strings.push(Buffer.from(value).toString('latin1'));
    return value;
  });
  return strings.join('\n');
}

describe("a rollback's row values (predicate, keys, preview samples) are ciphertext in every workflow history", () => {
  let db: ScratchDatabase;
  let rw: RollbackWorld;
  let server: ServerType;
  let codecEndpoint: string;
  before(async () => {
    db = await scratchDatabase('rbcodec');
    await sql(db.url, `create table contact (id int primary key, email text not null, note text);
      insert into contact values (1, '${SENTINELS.predicate}', '${SENTINELS.after}'), (2, 'plain@example.com', 'x');
      create table account (code text primary key, owner text);
      insert into account values ('${SENTINELS.key}', '${SENTINELS.after}'), ('OTHER', 'y');`);
    rw = await startRollbackWorld(db.url);
    const identity = rw.world.config.identity!;
    const app = codecApp({ codecs: payloadCodecs(identity.payloadKeyFile), identity, corsOrigins: [] });
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve());
    });
    codecEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await rw?.close();
    await db?.drop();
  });

  let rollbackWorkflowId: string;

  it('runs a rollback scoped by a predicate and by keys, whose preview samples hold the sentinels', async () => {
    const exportId = await rw.exportApp();
    await sql(db.url, `update contact set note = '${SENTINELS.before}' where id = 1; update account set owner = '${SENTINELS.before}' where code = '${SENTINELS.key}'`);
    const rollback = await startRollback(rw.client, {
      source: 'app',
      target: { exportId },
      tables: ['contact', 'account'],
      where: { contact: `email = '${SENTINELS.predicate}'` },
      keys: { account: [{ code: SENTINELS.key }] },
      requestedBy: 'alice',
      reason: 'codec test',
    });
    const status = await waitForStage(rollback, 'awaiting-approval');
    // The workflow keeps the preview's counts; its samples of before and after values stay in the catalog.
    assert.ok(status.preview && !JSON.stringify(status.preview).includes(SENTINELS.before));
    await rollback.decide('approve', 'bob', 'ok');
    assert.equal((await rollback.result()).stage, 'done');
    assert.equal((await sql(db.url, 'select note from contact where id = 1')).rows[0].note, SENTINELS.after);
    rollbackWorkflowId = rollback.workflowId;
  });

  it('a rollback refused on its predicate: the client reads the failure, its history holds every failure message encrypted', async () => {
    const exportId = await rw.exportApp();
    // The refusal's message names the predicate, which holds a row value; a failed cast runs only once rows are read.
    const rollback = await startRollback(rw.client, {
      source: 'app',
      target: { exportId },
      tables: ['contact'],
      where: { contact: `email = '${SENTINELS.predicate}' and note::int > 0` },
      requestedBy: 'alice',
      reason: 'codec failure test',
    });
    const ended = await rollback.result().catch(() => rollback.status());
    assert.equal(ended.stage, 'failed');
    assert.equal(ended.failure?.code, 'ROLLBACK_SCOPE_INVALID');
    assert.ok(ended.failure?.message.includes(SENTINELS.predicate), 'the client, holding the key, reads the whole message');

    const history = await rw.world.env.client.workflow.getHandle(rollback.workflowId).fetchHistory();
    const messages: string[] = [];
    JSON.stringify(history, (key, value: unknown) => {
      if (key === 'failure' && value && typeof value === 'object' && 'message' in value) messages.push(String((value as { message: unknown }).message));
      return value;
    });
    assert.ok(messages.length > 0, 'the refusal is in the history as a failure');
    // Temporal's placeholder: the message and stack trace travel in the failure's encoded (encrypted) attributes.
    assert.deepEqual([...new Set(messages)], ['Encoded failure']);
  });

  it('no history of any workflow of the run (rollback, safety snapshot, exports) holds a sentinel in clear', async () => {
    // A client without the payload key reads what `temporal workflow show` and the UI show without a codec endpoint.
    const raw = rw.world.env.client;
    const ids: string[] = [];
    for await (const execution of raw.workflow.list()) ids.push(execution.workflowId);
    assert.ok(ids.includes(rollbackWorkflowId) && ids.length >= 3, `the rollback, its safety snapshot and the export: ${ids.join(', ')}`);
    for (const id of ids) {
      const text = historyText(await raw.workflow.getHandle(id).fetchHistory());
      assert.match(text, /binary\/restorepoint-aes256gcm/, `${id}: payloads are encrypted`);
      for (const [what, value] of Object.entries(SENTINELS)) assert.ok(!text.includes(value), `${id}: the ${what} value is in clear`);
    }
  });

  const show = async (auth: string | null) => {
    const args = ['workflow', 'show', '--workflow-id', rollbackWorkflowId, '--address', rw.world.env.address, '--output', 'json', '--codec-endpoint', codecEndpoint, ...(auth ? ['--codec-auth', auth] : [])];
    return promisify(execFile)(temporalCli(), args, { maxBuffer: 64 * 1024 * 1024 }).then(
      (r) => ({ ok: true, out: r.stdout + r.stderr }),
      (e: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
    );
  };

  it('`temporal workflow show --codec-endpoint` shows the values to an approver, and not to a viewer or without a token', async () => {
    const approver = await show(`Bearer ${await tokenFor('bob', { '*': ['approver'] })}`);
    assert.ok(approver.ok, approver.out.slice(0, 2000));
    const decoded = historyText(JSON.parse(approver.out));
    assert.ok(decoded.includes(SENTINELS.predicate) && decoded.includes(SENTINELS.key), 'the decoded history holds the predicate and the keys');
    for (const auth of [`Bearer ${await tokenFor('vera', { '*': ['viewer'] })}`, null]) {
      const refused = await show(auth);
      assert.ok(!refused.out.includes(SENTINELS.predicate) && !historyText(refused.out).includes(SENTINELS.predicate), 'nothing decoded for a caller without payloads.decode');
    }
  });
});
