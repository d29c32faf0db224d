import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { postgresClient } from '../stack/tools';

/** What pg_dump dumps: every non-system schema, or the named schemas and extensions. */
export interface DumpScope {
  readonly partial: boolean;
  readonly schemas: readonly string[];
  readonly extensions: readonly string[];
}

/**
 * A pg_dump (and psql) pattern that matches exactly `name`: inside double quotes, capitals,
 * spaces, dots and wildcards are literal, and a quote is written twice. `-n "Sales Data"`
 * unquoted would be case-folded to `sales data` and match nothing.
 */
export function exactPattern(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** pg_dump's scope arguments: the whole database less restorepoint's schemas, or exact schema and extension patterns. */
export function dumpScopeArgs(scope: DumpScope): string[] {
  if (!scope.partial) return ['--exclude-schema=restorepoint_*'];
  return [...scope.schemas.map((s) => `--schema=${exactPattern(s)}`), ...scope.extensions.map((e) => `--extension=${exactPattern(e)}`)];
}

/**
 * pg_dump's schema-only DDL of an export's scope, as seen in a shared snapshot. The pre-data
 * section (types, functions, tables) is applied before loading rows, the post-data section
 * (indexes, constraints, triggers) after, as pg_restore does: rows load without firing
 * triggers or checking foreign keys row by row.
 */
export function dumpSchema(url: string, scope: DumpScope, section: 'pre-data' | 'post-data', snapshotId: string): { stdout: Readable; done: Promise<void> } {
  const args = ['--schema-only', `--section=${section}`, '--no-owner', '--no-privileges', '--no-subscriptions', `--snapshot=${snapshotId}`, ...dumpScopeArgs(scope), '-d', url];
  const child = spawn(postgresClient('pg_dump'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`pg_dump --section=${section} exited ${code}: ${stderr.trim()}`))));
  });
  return { stdout: child.stdout, done };
}
