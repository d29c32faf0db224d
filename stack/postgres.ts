import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { stackPaths } from './paths';
import { portOrFree, startDetached, stopGroup, waitUntil } from './processes';
import { postgresBinDir } from './tools';

/** PostgreSQL refuses to run as root; as root, the cluster runs as the `postgres` system user. */
const RUN_AS = 'postgres';
const runningAsRoot = () => process.getuid?.() === 0;

function asServerUser(command: string, args: readonly string[]): [string, string[]] {
  return runningAsRoot() ? ['runuser', ['-u', RUN_AS, '--', command, ...args]] : [command, [...args]];
}

function ensureServerUser(): void {
  if (!runningAsRoot()) return;
  try {
    execFileSync('id', ['-u', RUN_AS], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', RUN_AS]);
  }
}

function serverUserCanReach(dir: string): boolean {
  try {
    execFileSync('runuser', ['-u', RUN_AS, '--', 'test', '-x', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * As root, the server user must be able to reach the data directory. A project checked out
 * under a private folder (mktemp -d, /root) is out of its reach: the cluster then lives in
 * /var/tmp, in a folder named after the project's state folder, and the state folder holds
 * a symlink to it, so `stack down --purge` and a second `up` find it as usual.
 */
function prepareDataDir(dataDir: string): void {
  const parent = path.dirname(dataDir);
  fs.mkdirSync(parent, { recursive: true });
  if (!runningAsRoot() || fs.existsSync(dataDir) || serverUserCanReach(parent)) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } else {
    const outside = path.join('/var/tmp', `restorepoint-${createHash('sha256').update(parent).digest('hex').slice(0, 12)}`, 'postgres');
    fs.mkdirSync(outside, { recursive: true, mode: 0o700 });
    fs.chmodSync(path.dirname(outside), 0o755);
    fs.symlinkSync(outside, dataDir);
  }
  if (runningAsRoot()) execFileSync('chown', [RUN_AS, fs.realpathSync(dataDir)]);
}

/** Where the cluster really is (the state folder may hold a symlink to it). */
export function clusterDirectory(): string {
  const dataDir = stackPaths.postgresData();
  return fs.existsSync(dataDir) ? fs.realpathSync(dataDir) : dataDir;
}

function initCluster(dataDir: string): void {
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  ensureServerUser();
  prepareDataDir(dataDir);
  dataDir = fs.realpathSync(dataDir);
  const [cmd, args] = asServerUser(path.join(postgresBinDir(), 'initdb'), [
    '-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8',
  ]);
  execFileSync(cmd, args, { stdio: 'ignore' });
}

export async function pgReady(adminUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Starts a throwaway cluster on a free port. Durability settings are relaxed (fsync off): the
 * cluster holds only test and demo data, and every contender in the benchmark shares it.
 */
export async function startPostgres(preferredPort?: number): Promise<{ pid: number; port: number; adminUrl: string }> {
  initCluster(stackPaths.postgresData());
  const dataDir = clusterDirectory();
  const port = await portOrFree(preferredPort);
  const [cmd, args] = asServerUser(path.join(postgresBinDir(), 'postgres'), [
    '-D', dataDir, '-p', String(port), '-k', dataDir, '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    '-c', 'max_connections=300', '-c', 'wal_level=logical', '-c', 'max_wal_size=4GB',
    '-c', 'max_prepared_transactions=20', '-c', 'shared_buffers=512MB',
  ]);
  const pid = startDetached('postgres', cmd, args);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitUntil('postgres', () => pgReady(adminUrl), 30_000, pid);
  return { pid, port, adminUrl };
}

export async function stopPostgres(pid: number | undefined): Promise<void> {
  // SIGTERM to the postmaster is PostgreSQL's "smart" shutdown; stopGroup escalates if it lingers.
  await stopGroup(pid, 15_000);
}

/** Creates a database when it does not exist yet (idempotent). */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
