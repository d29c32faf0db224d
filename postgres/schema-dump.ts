import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { postgresClient } from '../stack/tools';

/**
 * pg_dump's schema-only DDL of some schemas, as seen in a shared snapshot. The pre-data
 * section (types, functions, tables) is applied before loading rows, the post-data section
 * (indexes, constraints, triggers) after, as pg_restore does: rows load without firing
 * triggers or checking foreign keys row by row.
 */
export function dumpSchema(url: string, schemas: readonly string[], section: 'pre-data' | 'post-data', snapshotId: string): { stdout: Readable; done: Promise<void> } {
  const args = ['--schema-only', `--section=${section}`, '--no-owner', '--no-privileges', `--snapshot=${snapshotId}`, ...schemas.flatMap((s) => ['-n', s]), '-d', url];
  const child = spawn(postgresClient('pg_dump'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pg_dump --section=${section} exited ${code}: ${stderr.trim()}`))));
  });
  return { stdout: child.stdout, done };
}
