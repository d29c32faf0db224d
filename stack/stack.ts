import fs from 'node:fs';
import path from 'node:path';
import { stackPaths, stateHome } from './paths';
import { clusterDirectory, ensureDatabase, pgReady, startPostgres, stopPostgres } from './postgres';
import { gcsReady, startGcs } from './gcs';
import { isAlive, stopGroup, tcpOpen } from './processes';
import { readStackState, removeStackState, writeStackState, type StackState } from './state';
import { Connection } from '@temporalio/client';
import { ensureSearchAttributes } from './search-attributes';
import { startTemporal } from './temporal';
import { CATALOG_DATABASE } from './urls';
import { ensureLocalIdentity } from '../identity/local-issuer';
import { LocalKeyring } from '../crypto/local-keyring';
import { defaultKeyringFile } from '../crypto/open-key-provider';

export interface ServiceStatus {
  readonly name: 'postgres' | 'temporal' | 'gcs';
  readonly healthy: boolean;
  readonly detail: string;
}

/** Health of each service of the recorded stack; empty when no stack was started. */
export async function stackStatus(state = readStackState()): Promise<readonly ServiceStatus[]> {
  if (!state) return [];
  const pgOk = (!state.postgres.managed || isAlive(state.postgres.pid)) && (await pgReady(state.postgres.adminUrl));
  const temporalOk = isAlive(state.temporal.pid) && (await tcpOpen(state.temporal.port));
  const gcsOk = isAlive(state.gcs.pid) && (await gcsReady(state.gcs.url).catch(() => false));
  const redacted = new URL(state.postgres.adminUrl);
  redacted.password = redacted.password ? '***' : '';
  return [
    { name: 'postgres', healthy: pgOk, detail: `${redacted.toString()}${state.postgres.managed ? '' : ' (DATABASE_URL)'}` },
    { name: 'temporal', healthy: temporalOk, detail: `${state.temporal.address}, UI ${state.temporal.uiUrl}` },
    { name: 'gcs', healthy: gcsOk, detail: state.gcs.url },
  ];
}

/**
 * Starts whatever of the stack is not running yet; a second `up` with a healthy stack does
 * nothing. A dead service is started again on the port it had, when that port is free, so
 * running workers and clients (which read the address once) reach it again. PostgreSQL is DATABASE_URL's server when given, else a cluster of our own.
 */
export async function stackUp(log: (line: string) => void = () => undefined): Promise<StackState> {
  fs.mkdirSync(stateHome(), { recursive: true });
  const prior = readStackState();
  const health = new Map((await stackStatus(prior)).map((s) => [s.name, s.healthy]));
  const databaseUrl = process.env.DATABASE_URL;

  let postgres = prior?.postgres;
  const wantManaged = !databaseUrl;
  if (!postgres || !health.get('postgres') || postgres.managed !== wantManaged) {
    if (postgres?.managed) await stopPostgres(postgres.pid);
    if (databaseUrl) {
      log('postgres: using DATABASE_URL');
      postgres = { managed: false, adminUrl: databaseUrl, port: Number(new URL(databaseUrl).port || 5432) };
    } else {
      log('postgres: starting a local cluster');
      postgres = { managed: true, ...(await startPostgres(prior?.postgres.managed ? prior.postgres.port : undefined)) };
    }
  }
  await ensureDatabase(postgres.adminUrl, CATALOG_DATABASE);
  // The local identity issuer and payload key (docs/security.md): created once, kept across restarts.
  ensureLocalIdentity();

  let temporal = prior?.temporal;
  if (!temporal || !health.get('temporal')) {
    await stopGroup(temporal?.pid);
    log('temporal: starting the dev server');
    temporal = await startTemporal({ port: temporal?.port, uiPort: temporal ? Number(new URL(temporal.uiUrl).port) : undefined });
  }

  // restorepoint's search attributes (core/search-attributes.ts), on a new or a running server alike.
  const connection = await Connection.connect({ address: temporal.address });
  try {
    const added = await ensureSearchAttributes(connection.operatorService, 'default');
    if (added.length > 0) log(`temporal: registered search attributes ${added.join(', ')}`);
  } finally {
    await connection.close();
  }

  let gcs = prior?.gcs;
  if (!gcs || !health.get('gcs')) {
    await stopGroup(gcs?.pid);
    log('gcs: starting fake-gcs-server');
    gcs = await startGcs(gcs?.port);
  }

  const state: StackState = { postgres, temporal, gcs, startedAt: prior?.startedAt ?? new Date().toISOString() };
  // The local keyring that wraps exports' data keys (encryption is on by default); never replaced once made.
  new LocalKeyring(defaultKeyringFile()).ensure();
  writeStackState(state);
  return state;
}

/** Stops every process the stack started and forgets it. Data stays unless `purge`. */
export async function stackDown(options: { purge?: boolean } = {}): Promise<void> {
  const state = readStackState();
  if (state) {
    await stopGroup(state.gcs.pid);
    await stopGroup(state.temporal.pid);
    if (state.postgres.managed) await stopPostgres(state.postgres.pid);
    removeStackState();
  }
  if (options.purge) {
    const cluster = clusterDirectory();
    // A cluster kept outside the state folder (see prepareDataDir) goes with its folder.
    const outside = cluster.startsWith('/var/tmp/restorepoint-') ? path.dirname(cluster) : cluster;
    for (const dir of [outside, stackPaths.postgresData(), stackPaths.gcsRoot(), stackPaths.temporalDb()]) fs.rmSync(dir, { recursive: true, force: true });
  }
}
