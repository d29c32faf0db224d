import type { Queryable } from '../postgres/queryable';

export type TransactionMode = 'read committed' | 'repeatable read read only';

/**
 * Runs `work` in one transaction on `client`, which must be a single connection (a pg.Client or
 * a client checked out of a pool): on a pool, BEGIN and the statements after it could land on
 * different connections. Rolls back when `work` throws.
 */
export async function inTransaction<T>(client: Queryable, mode: TransactionMode, work: () => Promise<T>): Promise<T> {
  await client.query(`begin isolation level ${mode}`);
  try {
    const result = await work();
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}
