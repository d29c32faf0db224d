import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectClient, type RestorepointClient } from '../../client/connect';
import { startExport } from '../../client/exports';
import { startRestore } from '../../client/restores';
import type { Config } from '../../config/schema';
import { restoreWorkflowId } from '../../core/restore-input';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { freePort } from '../../stack/processes';
import { openStore } from '../../storage/open-store';
import { sql } from '../export/harness';
import { scratchDatabase, testStack, type ScratchDatabase } from '../support/stack';
import { startTestWorld, type TestWorld } from '../support/temporal';
import { assertNoOrphans, backends, pendingActivity, PrivateObjectStore, waitFor, WorkerProcess } from './fault-world';
import { Toxiproxy, toxiproxyMissing, type ProxiedPath } from './toxiproxy';

const TABLES = ['t1', 't2', 't3', 't4'];
const ROWS = 20_000;
const BIG_ROWS = 200_000;
const TARGETS = ['dst1', 'dst2', 'dst3', 'dst4'];

/**
 * Network faults through a real proxy (toxiproxy) on both of a worker's data paths:
 * worker↔PostgreSQL (source and restore targets) and worker↔object store. Latency and a
 * bandwidth limit only slow a job down; a connection reset mid-COPY or mid-upload, or a
 * connection that stalls and is then closed, costs an attempt, which Temporal retries. Each
 * job must still end with exact rows (fingerprints), nothing orphaned in the store, and a
 * target that held nothing of a failed attempt.
 */
describe('network faults between the worker and its services cost attempts, never rows', { skip: toxiproxyMissing() }, () => {
  let proxy: Toxiproxy;
  let pgPath: ProxiedPath;
  let gcsPath: ProxiedPath;
  let gcs: PrivateObjectStore;
  let world: TestWorld;
  let client: RestorepointClient;
  let config: Config;
  let worker: WorkerProcess;
  let source: ScratchDatabase;
  const targets: Record<string, ScratchDatabase> = {};
  const destination = `gs://restorepoint-network-faults-${process.pid}/n`;
  const adminUrl = () => testStack().postgres.adminUrl;

  /** `url` with its host and port replaced by the PostgreSQL proxy's. */
  const throughProxy = (url: string) => {
    const proxied = new URL(url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(pgPath.port);
    return proxied.toString();
  };

  before(async () => {
    source = await scratchDatabase('net_src');
    for (const t of TABLES) await sql(source.url, `create table ${t} (id int primary key, v text)`, `insert into ${t} select g, md5(g::text) || md5((-g)::text) from generate_series(1, ${ROWS}) g`);
    await sql(source.url, 'create table big (id int primary key, v text)', `insert into big select g, md5(g::text) from generate_series(1, ${BIG_ROWS}) g`);
    for (const name of TARGETS) targets[name] = await scratchDatabase(`net_${name}`);
    proxy = await Toxiproxy.start();
    pgPath = await proxy.proxy('postgres', Number(new URL(adminUrl()).port));
    const gcsPort = await freePort();
    gcsPath = await proxy.proxy('gcs', gcsPort);
    gcs = new PrivateObjectStore(gcsPort, `http://127.0.0.1:${gcsPath.port}`);
    await gcs.start();
    const sources = { src: throughProxy(source.url), ...Object.fromEntries(TARGETS.map((name) => [name, throughProxy(targets[name]!.url)])) };
    world = await startTestWorld(sources);
    // The worker reaches PostgreSQL sources and the object store only through the proxy; the catalog directly.
    config = { ...world.config, gcs: { ...world.config.gcs, emulatorHost: `http://127.0.0.1:${gcsPath.port}` } };
    client = await connectClient(config);
    worker = await WorkerProcess.start(config);
  });

  after(async () => {
    await worker?.kill();
    await client?.close();
    await world?.close();
    await gcs?.remove();
    await proxy?.stop();
    await source?.drop();
    for (const t of Object.values(targets)) await t.drop();
  });

  /** The tables' rows in `url` fingerprint as the source's. */
  async function assertSameRows(url: string, tables: readonly string[]): Promise<void> {
    const only = (all: Record<string, string>) => Object.fromEntries(Object.entries(all).filter(([key]) => tables.some((t) => key === `table public.${t}`)));
    assert.deepEqual(only(await databaseFingerprint(url)), only(await databaseFingerprint(source.url)));
  }

  /** Every row of `big` in `url` exactly once. */
  async function assertEveryRowOnce(url: string): Promise<void> {
    const counted = await sql<{ n: string; d: string }>(url, 'select count(*)::text as n, count(distinct id)::text as d from big');
    assert.deepEqual(counted[0], { n: String(BIG_ROWS), d: String(BIG_ROWS) });
    await assertSameRows(url, ['big']);
  }

  /** Holds while `toxic` is in place for `ms`, then removes it. */
  async function during(path: ProxiedPath, add: () => Promise<string>, ms: number): Promise<void> {
    const name = await add();
    await new Promise((resolve) => setTimeout(resolve, ms));
    await path.remove(name);
  }

  it('latency to PostgreSQL and a bandwidth limit to the object store: export and restore only slow down, rows exact', async () => {
    const exportId = 'net-slow';
    await pgPath.add({ type: 'latency', attributes: { latency: 20, jitter: 5 } });
    await gcsPath.add({ type: 'bandwidth', attributes: { rate: 2048 } }, 'upstream');
    await gcsPath.add({ type: 'bandwidth', attributes: { rate: 2048 } }, 'downstream');
    try {
      const summary = await (await startExport(client, { exportId, source: 'src', destination, tables: TABLES, requestedBy: 'test' })).result();
      assert.equal(summary.rows, TABLES.length * ROWS);
      await assertNoOrphans(openStore(destination, config.gcs), exportId);
      const restored = await (await startRestore(client, { exportId, target: 'dst1', requestedBy: 'test' })).result();
      assert.equal(restored.rows, TABLES.length * ROWS);
      await assertSameRows(targets.dst1!.url, TABLES);
    } finally {
      await pgPath.heal();
      await gcsPath.heal();
    }
    worker.assertAlive('after latency and a bandwidth limit');
  });

  it('export: PostgreSQL connections reset mid-COPY, then object-store uploads reset mid-part; retried to exact rows, nothing orphaned', async () => {
    const exportId = 'net-resets';
    try {
      // Slow and one table at a time, so each reset lands mid-copy.
      const handle = await startExport(client, { exportId, source: 'src', destination, tables: TABLES, concurrency: 1, maxBytesPerSecond: 700 * 1024, requestedBy: 'test' });
      await waitFor('an export COPY in flight', async () => (await backends(adminUrl(), source.name, 'restorepoint-export', 'copy%')).length > 0);
      await during(pgPath, () => pgPath.add({ type: 'reset_peer', attributes: { timeout: 0 } }), 1000);
      await waitFor('a stored part', async () => (await handle.progress()).tables.some((t) => t.rows > 0));
      await during(gcsPath, () => gcsPath.add({ type: 'reset_peer', attributes: { timeout: 0 } }, 'upstream'), 1000);
      const summary = await handle.result();
      assert.equal(summary.rows, TABLES.length * ROWS);
    } finally {
      await pgPath.heal();
      await gcsPath.heal();
    }
    worker.assertAlive('after connection resets');
    await assertNoOrphans(openStore(destination, config.gcs), exportId);
    await (await startRestore(client, { exportId, target: 'dst2', requestedBy: 'test' })).result();
    await assertSameRows(targets.dst2!.url, TABLES);
  });

  /** Rows of `big` the target shows while `running` is unsettled: each sample must be none or all (nothing half-applied). */
  async function samplesWhile(url: string, running: Promise<unknown>): Promise<Set<number>> {
    let settled = false;
    void running.finally(() => (settled = true)).catch(() => undefined);
    const seen = new Set<number>();
    while (!settled) {
      const [row] = await sql<{ n: number }>(url, "select case when to_regclass('public.big') is null then 0 else (xpath('//row/n/text()', query_to_xml('select count(*) as n from public.big', false, false, '')))[1]::text::int end as n");
      seen.add(row!.n);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return seen;
  }

  it('restore: PostgreSQL connections reset mid-COPY; the target never shows part of an attempt, the retry loads every row once', async () => {
    const exportId = 'net-big';
    await (await startExport(client, { exportId, source: 'src', destination, tables: ['big'], requestedBy: 'test' })).result();
    try {
      // Slow the load so the reset lands mid-COPY.
      await pgPath.add({ type: 'bandwidth', attributes: { rate: 2048 } }, 'upstream');
      const restore = await startRestore(client, { exportId, target: 'dst3', requestedBy: 'test' });
      const result = restore.result();
      const seen = samplesWhile(targets.dst3!.url, result);
      await waitFor('a restore COPY in flight', async () => (await backends(adminUrl(), targets.dst3!.name, 'restorepoint-restore', 'copy%')).length > 0);
      await during(pgPath, () => pgPath.add({ type: 'reset_peer', attributes: { timeout: 0 } }, 'upstream'), 1000);
      const summary = await result;
      assert.equal(summary.rows, BIG_ROWS);
      assert.deepEqual([...(await seen)].filter((n) => n !== 0 && n !== BIG_ROWS), [], 'a half-applied restore was visible in the target');
    } finally {
      await pgPath.heal();
    }
    await assertEveryRowOnce(targets.dst3!.url);
    worker.assertAlive('after a reset PostgreSQL connection');
  });

  it('restore: object-store reads stall and are closed, then reset; the retries load every row once', async () => {
    const exportId = 'net-big';
    try {
      const stall = await gcsPath.add({ type: 'timeout', attributes: { timeout: 1500 } });
      const restore = await startRestore(client, { exportId, target: 'dst4', requestedBy: 'test' });
      await waitFor('a failed read', async () => (await pendingActivity(client.temporal.workflow.getHandle(restoreWorkflowId(restore.restoreId)), 'restoreExport'))!.attempt >= 2, 60_000);
      await gcsPath.remove(stall);
      await during(gcsPath, () => gcsPath.add({ type: 'reset_peer', attributes: { timeout: 200 } }), 1500);
      const summary = await restore.result();
      assert.equal(summary.rows, BIG_ROWS);
    } finally {
      await gcsPath.heal();
    }
    await assertEveryRowOnce(targets.dst4!.url);
    worker.assertAlive('after stalled and reset object-store reads');
  });
});
