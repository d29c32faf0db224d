import pg from 'pg';
import { trackTables, type RenderedInverse } from '../../trail';
import { pagilaDatabase } from '../support/pagila';
import type { ScratchDatabase } from '../support/stack';

export interface TrackedPagila {
  readonly db: ScratchDatabase;
  /** A connection for the test's own statements; `application_name` is 'trail-test'. */
  readonly client: pg.Client;
  /** Another connection, closed by close(). */
  connect(applicationName?: string): Promise<pg.Client>;
  /** Closes every connection and drops the database. */
  close(): Promise<void>;
}

/** A fresh Pagila database with `targets` tracked (all of public by default). */
export async function trackedPagila(targets: readonly string[] = ['public']): Promise<TrackedPagila> {
  const db = await pagilaDatabase('trail');
  const clients: pg.Client[] = [];
  const connect = async (applicationName = 'trail-test') => {
    const client = new pg.Client({ connectionString: db.url, application_name: applicationName });
    await client.connect();
    clients.push(client);
    return client;
  };
  const client = await connect();
  if (targets.length > 0) await trackTables(client, targets);
  return {
    db,
    client,
    connect,
    close: async () => {
      await Promise.all(clients.map((c) => c.end()));
      await db.drop();
    },
  };
}

/** Runs statements in one transaction, with `restorepoint.actor` set when an actor is given. */
export async function inTransactionAs(client: pg.Client, actor: string | null, statements: readonly string[]): Promise<void> {
  await client.query('begin');
  try {
    if (actor !== null) await client.query(`select set_config('restorepoint.actor', $1, true)`, [actor]);
    for (const sql of statements) await client.query(sql);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}

/**
 * Applies rendered inverse statements in one transaction, as the later rollback feature would:
 * every statement must touch exactly the rows it expects, or everything is rolled back.
 */
export async function applyInverse(client: pg.Client, rendered: RenderedInverse, actor: string): Promise<void> {
  await client.query('begin');
  try {
    await client.query(`select set_config('restorepoint.actor', $1, true)`, [actor]);
    for (const sql of rendered.setup) await client.query(sql);
    for (const statement of rendered.statements) {
      const result = await client.query(statement.sql, [...statement.params]);
      if (result.rowCount !== statement.expectedRows) {
        throw new Error(`undoing entry ${statement.undoes.position} touched ${result.rowCount} rows, expected ${statement.expectedRows}`);
      }
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}
