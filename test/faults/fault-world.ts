import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import pg from 'pg';
import type { Config } from '../../config/schema';
import type { Manifest } from '../../core/manifest';
import { objectNames } from '../../core/object-names';
import { startGcs } from '../../stack/gcs';
import { freePort, startDetached, stopGroup, tcpOpen, waitUntil } from '../../stack/processes';
import { temporalCli } from '../../stack/tools';
import { connectClient, type RestorepointClient } from '../../client/connect';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { startTestWorld, type TestWorld } from '../support/temporal';
import type { ObjectStore } from '../../storage/object-store';
import { WORKER_NODE_FLAGS } from '../../worker/node-flags';

/**
 * A worker in a process of its own (test/export/worker-process.ts), so a test can SIGKILL it
 * as a crash would: no shutdown, no failure reported, only missing heartbeats.
 */
export class WorkerProcess {
  private constructor(private readonly child: ChildProcess) {}

  static async start(config: Config): Promise<WorkerProcess> {
    const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, '--import', 'tsx', path.join(__dirname, '../export/worker-process.ts')], {
      env: { ...process.env, RESTOREPOINT_TEST_WORKER_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('ready')) resolve();
      });
      child.once('exit', (code, signal) => reject(new Error(`worker exited ${code ?? signal} before it was ready: ${stderr.slice(-2000)}`)));
    });
    // Whatever it prints later (an uncaught 'error' event, say) is kept for the assertion that it is still alive.
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
    const worker = new WorkerProcess(child);
    worker.stderr = () => stderr;
    return worker;
  }

  stderr: () => string = () => '';

  /** Its process id: a Temporal worker's default identity is `<pid>@<host>`. */
  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Fails when the process died on its own (a crash a fault must never cause). */
  assertAlive(what: string): void {
    assert.ok(this.alive, `${what}: the worker process died (${this.child.exitCode ?? this.child.signalCode}): ${this.stderr().slice(-2000)}`);
  }

  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await once(this.child, 'exit');
  }
}

/**
 * A fake-gcs-server of this test's own, on a port it keeps across a stop and a start (the
 * shared one is never touched). `externalUrl`: the address clients reach it by (a proxy's).
 */
export class PrivateObjectStore {
  private pid: number | undefined;
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-faults-gcs-'));
  url = '';

  constructor(private port?: number, private readonly externalUrl = '') {}

  async start(): Promise<void> {
    const started = await startGcs(this.port, { root: this.root, name: `faults-gcs-${process.pid}`, externalUrl: this.externalUrl });
    assert.ok(this.port === undefined || started.port === this.port, `restarted on port ${started.port}, not ${this.port}`);
    Object.assign(this, { pid: started.pid, port: started.port, url: started.url });
  }

  async stop(): Promise<void> {
    await stopGroup(this.pid);
    this.pid = undefined;
  }

  async remove(): Promise<void> {
    await this.stop();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * A Temporal dev server of this test's own (never the shared stack's), persisting to a SQLite
 * file so that a stop and a start on the same port lose no workflow: an outage, not a reset.
 */
export class PrivateTemporal {
  private pid: number | undefined;
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-faults-temporal-'));
  port = 0;

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port ||= await freePort();
    const name = `faults-temporal-${process.pid}`;
    this.pid = startDetached(name, temporalCli(), [
      'server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(this.port), '--http-port', String(await freePort()),
      '--metrics-port', String(await freePort()), '--db-filename', path.join(this.dir, 'temporal.sqlite'), '--log-level', 'error', '--namespace', 'default',
    ]);
    await waitUntil(name, () => tcpOpen(this.port), 60_000, this.pid);
  }

  async stop(): Promise<void> {
    await stopGroup(this.pid);
    this.pid = undefined;
  }

  async remove(): Promise<void> {
    await this.stop();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `probe` every 50 ms until it returns a value; fails after `timeoutMs` naming `what`. */
/**
 * The one worker a kill test runs at a time: `killWhen` SIGKILLs it once a point is reached and
 * starts the next, which must finish the job.
 */
export class WorkerRelay {
  private constructor(
    private readonly config: Config,
    private worker: WorkerProcess,
  ) {}

  static async start(config: Config): Promise<WorkerRelay> {
    return new WorkerRelay(config, await WorkerProcess.start(config));
  }

  async killWhen(what: string, reached: () => Promise<unknown>): Promise<void> {
    await waitFor(what, async () => (await reached()) || undefined);
    await this.worker.kill();
    this.worker = await WorkerProcess.start(this.config);
  }

  stop(): Promise<void> {
    return this.worker.kill();
  }
}

/** What each kill test starts from: a test world on its source, a client, the worker relay, and empty targets made on demand. */
export interface KillWorld {
  readonly world: TestWorld;
  readonly client: RestorepointClient;
  readonly worker: WorkerRelay;
  /** An empty database to restore into, dropped by `close`. */
  freshTarget(): Promise<ScratchDatabase>;
  close(): Promise<void>;
}

export async function startKillWorld(sourceUrl: string, targetPrefix: string): Promise<KillWorld> {
  const world = await startTestWorld({ src: sourceUrl });
  const client = await connectClient(world.config);
  const worker = await WorkerRelay.start(world.config);
  const targets: ScratchDatabase[] = [];
  return {
    world,
    client,
    worker,
    async freshTarget() {
      const db = await scratchDatabase(targetPrefix);
      targets.push(db);
      return db;
    },
    async close() {
      await worker.stop();
      await client.close();
      await world.close();
      for (const t of targets) await t.drop();
    },
  };
}

/** Thrown by a probe that knows its point can no longer be reached: `waitFor` stops at once with it. */
export class PointUnreachable extends Error {}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const giveUp = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe().catch((error: unknown) => {
      if (error instanceof PointUnreachable) throw error;
      return undefined;
    });
    if (found !== undefined && found !== false) return found;
    if (Date.now() > giveUp) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The pending activity of a workflow with its last heartbeat details, when one is running. */
export async function pendingActivity(handle: WorkflowHandle, activityType: string): Promise<{ attempt: number; details: unknown } | undefined> {
  const described = await handle.describe();
  // A workflow that has already closed will never show the activity: say how it ended instead of
  // polling until the timeout (a restore that finished or failed between two polls).
  if (described.status.name !== 'RUNNING') throw new PointUnreachable(`${handle.workflowId} ended ${described.status.name} before ${activityType} was seen pending`);
  const raw = (described.raw.pendingActivities ?? []).find((a) => a.activityType?.name === activityType && a.state !== undefined);
  if (!raw) return undefined;
  const payload = raw.heartbeatDetails?.payloads?.[0]?.data;
  return { attempt: raw.attempt ?? 1, details: payload ? JSON.parse(Buffer.from(payload).toString('utf8')) : undefined };
}

/** Backends of `database` whose application_name is `application`, as pg_stat_activity shows them. */
export async function backends(adminUrl: string, database: string, application: string, queryLike = '%'): Promise<number[]> {
  const rows = await query<{ pid: number }>(adminUrl, 'select pid from pg_stat_activity where datname = $1 and application_name = $2 and query ilike $3', [database, application, queryLike]);
  return rows.map((r) => r.pid);
}

/** pg_terminate_backend on each pid; returns how many it ended. */
export async function terminate(adminUrl: string, pids: readonly number[]): Promise<number> {
  const rows = await query<{ ok: boolean }>(adminUrl, 'select pg_terminate_backend(p) as ok from unnest($1::int[]) p', [pids]);
  return rows.filter((r) => r.ok).length;
}

export async function query<Row extends object>(url: string, sql: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Every object stored under an export is one its manifest lists (parts, DDL, the manifest
 * itself): nothing orphaned by an attempt that died, no temporary or checkpoint left behind.
 */
export async function assertNoOrphans(store: ObjectStore, exportId: string): Promise<void> {
  const manifest = JSON.parse((await store.getBytes(objectNames.manifest(exportId))).toString('utf8')) as Manifest;
  const listed = new Set([objectNames.manifest(exportId), manifest.ddl.preData.key, manifest.ddl.postData.key, ...manifest.tables.flatMap((t) => t.parts.map((p) => p.key))]);
  const stored: string[] = [];
  for await (const object of store.list(`${objectNames.exportRoot(exportId)}/`)) stored.push(object.key);
  assert.deepEqual(stored.filter((key) => !listed.has(key)), [], `orphaned objects under ${exportId}/`);
  assert.equal(stored.length, listed.size, `missing objects under ${exportId}/`);
}
