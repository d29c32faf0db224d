/**
 * Demo database chores for scripts/demo.sh, on the local stack's server:
 *   load <db>             create <db> with Pagila when it does not exist yet
 *   recreate <db>         drop and create an empty <db>
 *   compare <a> <b>       exit 1 unless every table and sequence holds the same data
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { readStackState } from '../stack/state';
import { postgresClient } from '../stack/tools';
import { withDatabase } from '../stack/urls';
import { databaseFingerprint } from '../postgres/content-fingerprint';
import { PAGILA_DIR as PAGILA } from '../fixtures';


async function admin(sql: string): Promise<number> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return (await client.query(sql)).rowCount ?? 0;
  } finally {
    await client.end();
  }
}

function adminUrl(): string {
  const stack = readStackState();
  if (!stack) throw new Error('the local stack is not running: restorepoint stack up');
  return stack.postgres.adminUrl;
}

async function main(): Promise<void> {
  const [command, a, b] = process.argv.slice(2);
  if (command === 'load' && a) {
    if ((await admin(`select 1 from pg_database where datname = ${pg.escapeLiteral(a)}`)) > 0) return;
    await admin(`create database ${pg.escapeIdentifier(a)}`);
    for (const file of ['pagila-schema.sql', 'pagila-data.sql']) {
      execFileSync(postgresClient('psql'), ['-q', '-v', 'ON_ERROR_STOP=1', '-d', withDatabase(adminUrl(), a), '-f', path.join(PAGILA, file)], { stdio: ['ignore', 'ignore', 'inherit'] });
    }
    console.log(`loaded Pagila into ${a}`);
  } else if (command === 'recreate' && a) {
    await admin(`drop database if exists ${pg.escapeIdentifier(a)} with (force)`);
    await admin(`create database ${pg.escapeIdentifier(a)}`);
  } else if (command === 'compare' && a && b) {
    const [left, right] = await Promise.all([databaseFingerprint(withDatabase(adminUrl(), a)), databaseFingerprint(withDatabase(adminUrl(), b))]);
    const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])].sort();
    const differing = keys.filter((k) => left[k] !== right[k]);
    for (const k of keys) console.log(`${left[k] === right[k] ? 'same' : 'DIFF'}  ${k}`);
    console.log(differing.length === 0 ? `all ${keys.length} tables and sequences are identical` : `${differing.length} differ`);
    process.exitCode = differing.length === 0 ? 0 : 1;
  } else {
    console.error('usage: demo-database.ts load <db> | recreate <db> | compare <a> <b>');
    process.exitCode = 2;
  }
}

void main();
