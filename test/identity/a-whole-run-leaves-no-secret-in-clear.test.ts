import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import pg from 'pg';
import { connectClient, type RestorepointClient } from '../../client/connect';
import { startExport } from '../../client/exports';
import { startRestore } from '../../client/restores';
import { startRollback } from '../../client/rollbacks';
import { changeTracking } from '../../client/tracking';
import { sql } from '../export/harness';
import { waitForStage } from '../rollback/rollback-world';
import { runCli, worldCliEnv, type CliResult } from '../support/cli';
import { tokenFor } from '../support/identity';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { startTestWorld, type TestWorld } from '../support/temporal';
import { startLoggedWorker, withPassword, type LoggedWorker } from '../support/worker-process';

const PASSWORD = `pw-${Math.random().toString(36).slice(2, 12)}`;
/** Row values only the source (and the export's data parts) may hold. */
const SENTINELS = [`sentinel-${Math.random().toString(36).slice(2, 10)}`, `sentinel-${Math.random().toString(36).slice(2, 10)}`];


/** Every file under `dir`, with its bytes. */
function filesUnder(dir: string): { file: string; bytes: Buffer }[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => {
    const file = path.join(e.parentPath, e.name);
    return { file, bytes: fs.readFileSync(file) };
  });
}

/**
 * Issue 12 item 6: a representative run — track, export, restore, tokens issued by the CLI, a
 * rollback approved through the CLI — then every place it leaves text is searched for the
 * secrets it handled. The worker runs as deployed (its own process, LOG_LEVEL=debug), with a
 * password in every database URL it holds.
 */
describe('a whole run leaves no token, payload key, password or row value in clear', () => {
  let world: TestWorld;
  let db: ScratchDatabase;
  let worker: LoggedWorker;
  let folder: string;
  let adminToken: string;
  /** What the CLI wrote (the worker's own output is kept by `worker`). */
  const logs: string[] = [];
  const secrets: Record<string, string> = {};
  const clients: RestorepointClient[] = [];

  const cli = async (token: string | undefined, ...args: string[]): Promise<CliResult> =>
    runCli({ ...worldCliEnv(world), ...(token ? { RESTOREPOINT_TOKEN: token } : {}) }, args);
  const clientWith = async (token: string) => {
    const client = await connectClient(world.config, { tokens: async () => token });
    clients.push(client);
    return client;
  };

  before(async () => {
    db = await scratchDatabase('secrets');
    await sql(db.url, 'create table item (id int primary key, name text not null)', `insert into item values (1, '${SENTINELS[0]}'), (2, '${SENTINELS[1]}'), (3, 'plain')`);
    world = await startTestWorld({ src: withPassword(db.url, PASSWORD) });
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-secrets-'));
    worker = await startLoggedWorker(world, db.url, { password: PASSWORD, logLevel: 'debug' });
    adminToken = await tokenFor('alice');
    secrets['admin token'] = adminToken;
    secrets['the world admin token'] = world.adminToken;
    secrets.password = PASSWORD;
    secrets['payload key'] = fs.readFileSync(world.config.identity!.payloadKeyFile!, 'utf8').trim();
  });
  after(async () => {
    await worker?.kill();
    for (const client of clients) await client.close();
    await world?.close();
    await db?.drop();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it('runs track, export, restore and a rollback approved through the CLI with tokens the CLI issued', async () => {
    const admin = await clientWith(adminToken);
    await changeTracking(admin, { source: 'src', targets: ['public'], change: 'track' });
    const exported = await startExport(admin, { source: 'src', destination: `file://${folder}` });
    await exported.result();
    await (await startRestore(admin, { exportId: exported.exportId, target: 'src', targetSchema: 'restored' })).result();

    const issue = async (subject: string, roles: string) => {
      const issued = await cli(undefined, 'token', 'issue', '--subject', subject, '--roles', roles, '--source', 'src');
      assert.equal(issued.code, 0, issued.stderr);
      logs.push(issued.stderr); // its stdout IS the token, handed to the person who asked
      return issued.stdout.trim();
    };
    const ritaToken = await issue('rita', 'restorer');
    const bobToken = await issue('bob', 'approver');
    Object.assign(secrets, { 'restorer token (CLI-issued)': ritaToken, 'approver token (CLI-issued)': bobToken });

    await sql(db.url, `update item set name = 'broken' where id <= 2`);
    const rollback = await startRollback(await clientWith(ritaToken), { source: 'src', target: { exportId: exported.exportId }, tables: ['item'], requestedBy: 'rita', reason: 'names broken' });
    await waitForStage(rollback, 'awaiting-approval');
    const approved = await cli(bobToken, 'rollback', 'approve', rollback.rollbackId, '--comment', 'checked');
    logs.push(approved.stdout, approved.stderr);
    assert.equal(approved.code, 0, approved.stderr);
    assert.equal((await rollback.result()).stage, 'done');
    const names = new pg.Client({ connectionString: db.url });
    await names.connect();
    const { rows } = await names.query<{ name: string }>('select name from item order by id').finally(() => names.end());
    assert.deepEqual(rows.map((r) => r.name), [...SENTINELS, 'plain'], 'the run did what it should');
  });

  it('no log line, ledger row, catalog row, stored object or workflow history holds a token, the payload key or the password; only data parts and the approver\'s preview samples hold row values', async () => {
    await worker.stop();
    const places: { where: string; bytes: Buffer; mayHoldRows: boolean }[] = [];
    places.push({ where: 'worker and CLI logs', bytes: Buffer.from([worker.stdout(), worker.stderr(), ...logs].join('\n')), mayHoldRows: false });

    const catalog = new pg.Client({ connectionString: world.config.catalog.url });
    await catalog.connect();
    try {
      const tables = await catalog.query<{ name: string }>("select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'");
      assert.ok(tables.rows.some((t) => t.name === 'ledger'), 'the ledger is one of them');
      for (const { name } of tables.rows) {
        const { rows } = await catalog.query<{ dump: string | null }>(`select json_agg(t)::text as dump from ${pg.escapeIdentifier(name)} t`);
        // A rollback's preview keeps sample rows for its approvers to see (docs/rollback.md): that one column may hold row values.
        const withoutSamples = name === 'rollbacks' ? (await catalog.query<{ dump: string | null }>('select json_agg(to_jsonb(t) - \'samples\')::text as dump from rollbacks t')).rows[0]!.dump : rows[0]!.dump;
        places.push({ where: `catalog table ${name}`, bytes: Buffer.from(withoutSamples ?? ''), mayHoldRows: false });
        if (name === 'rollbacks') places.push({ where: 'catalog rollbacks.samples', bytes: Buffer.from(rows[0]!.dump ?? ''), mayHoldRows: true });
      }
    } finally {
      await catalog.end();
    }

    for (const { file, bytes } of filesUnder(folder)) {
      places.push({ where: `stored object ${path.relative(folder, file)}`, bytes, mayHoldRows: !file.endsWith('.json') });
    }

    const reader = await connectClient(world.config, { tokens: async () => undefined });
    clients.push(reader);
    const searched = new Set<string>();
    for await (const execution of reader.temporal.workflow.list()) {
      // The history as `temporal workflow show` or the UI hands it out: payloads as stored, never through our codec.
      const history = await reader.temporal.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
      places.push({ where: `history of ${execution.type} ${execution.workflowId}`, bytes: Buffer.from(temporal.api.history.v1.History.encode(history).finish()), mayHoldRows: false });
      searched.add(execution.type);
    }
    for (const type of ['trackWorkflow', 'exportWorkflow', 'restoreWorkflow', 'rollbackWorkflow']) assert.ok(searched.has(type), `a ${type} history was searched`);

    const found: string[] = [];
    for (const place of places) {
      for (const [what, secret] of Object.entries(secrets)) {
        if (place.bytes.includes(Buffer.from(secret))) found.push(`${what} in ${place.where}`);
        // A token's signature alone would let nobody in, but nothing should copy it either.
        if (what.includes('token') && place.bytes.includes(Buffer.from(secret.split('.')[2]!))) found.push(`${what} signature in ${place.where}`);
      }
      if (!place.mayHoldRows) for (const sentinel of SENTINELS) if (place.bytes.includes(Buffer.from(sentinel))) found.push(`row value ${sentinel} in ${place.where}`);
    }
    assert.deepEqual(found, []);
    // The search sees what is there: the approvers' preview samples do hold the rows the rollback put back.
    assert.ok(places.find((p) => p.where === 'catalog rollbacks.samples')?.bytes.includes(Buffer.from(SENTINELS[0]!)), 'a row value is found where it belongs');
  });
});
