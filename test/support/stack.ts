import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { readStackState, type StackState } from '../../stack/state';
import { withDatabase } from '../../stack/urls';

/** The running local stack; `npm test` brings it up before any test file runs. */
export function testStack(): StackState {
  const state = readStackState();
  if (!state) throw new Error('no local stack: run tests with `npm test`, or `npx restorepoint stack up` first');
  return state;
}

export interface ScratchDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the stack's server, unique to the caller; `drop()` removes it. */
export async function scratchDatabase(prefix = 'test'): Promise<ScratchDatabase> {
  const { adminUrl } = testStack().postgres;
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${pg.escapeIdentifier(name)}`);
  return {
    name,
    url: withDatabase(adminUrl, name),
    drop: () => adminQuery(`drop database if exists ${pg.escapeIdentifier(name)} with (force)`),
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: testStack().postgres.adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
