import { createHash } from 'node:crypto';
import type pg from 'pg';
import { RestorepointError } from '../core/errors';
import { qualifiedName, quoteIdent } from './queryable';

/** Prefix of the roles predicates run as; docs/rollback.md tells administrators what they are. */
export const PREDICATE_ROLE_PREFIX = 'rp_predicate_';

export interface ReadableTable {
  readonly schema: string;
  readonly name: string;
}

/** The predicate role of a table: a hash of database, schema and table (role names are cluster-wide, 63 bytes at most). */
export function predicateRoleName(database: string, table: ReadableTable): string {
  return PREDICATE_ROLE_PREFIX + createHash('sha256').update(`${database}\0${table.schema}\0${table.name}`).digest('hex').slice(0, 24);
}

/**
 * The role a row predicate of `table` runs as: NOLOGIN, NOINHERIT, member of nothing, with
 * USAGE on the table's schema and SELECT on the table (and on `alsoReadable`, the table's
 * staged copy) and no other grant of its own. One per table, named from a hash of database,
 * schema and table; created and granted idempotently, one creator at a time per database.
 * The source's connection needs CREATEROLE (or to be a superuser) and the right to grant
 * SELECT on the table; without them the predicate is refused as NOT_AUTHORIZED, never run
 * with the connection's own rights.
 */
export async function predicateRole(db: pg.ClientBase, table: ReadableTable, alsoReadable: readonly ReadableTable[] = []): Promise<string> {
  const { rows } = await db.query<{ db: string }>('select current_database() as db');
  const role = predicateRoleName(rows[0]!.db, table);
  const quoted = quoteIdent(role);
  await db.query('begin');
  try {
    // CREATE ROLE has no IF NOT EXISTS, and two GRANTs on one object at once can collide.
    await db.query("select pg_advisory_xact_lock(hashtext('restorepoint predicate roles'))");
    const exists = await db.query('select 1 from pg_roles where rolname = $1', [role]);
    if (exists.rowCount === 0) await db.query(`create role ${quoted} nologin noinherit nocreatedb nocreaterole noreplication`);
    // Membership lets a non-superuser connection SET ROLE to it (the role has less than the connection, never more).
    await db.query(`grant ${quoted} to current_user`);
    for (const t of [table, ...alsoReadable]) {
      await db.query(`grant usage on schema ${quoteIdent(t.schema)} to ${quoted}`);
      await db.query(`grant select on ${qualifiedName(t.schema, t.name)} to ${quoted}`);
    }
    await db.query('commit');
  } catch (error) {
    await db.query('rollback').catch(() => undefined);
    if ((error as { code?: string }).code !== '42501') throw error;
    throw new RestorepointError(
      'NOT_AUTHORIZED',
      `the source's connection may not create or grant the role a row predicate of ${table.schema}.${table.name} runs as (${(error as Error).message}); give it CREATEROLE and the right to grant SELECT on the table (docs/rollback.md); nothing was changed`,
      { table: `${table.schema}.${table.name}`, role },
    );
  }
  return role;
}

export interface EvaluationOptions {
  /** A PostgreSQL interval literal for `statement_timeout`, e.g. `'10s'`; a constant of ours, never input. */
  readonly timeout: string;
  readonly isolation?: 'read committed' | 'repeatable read';
}

/**
 * Runs `work` in a READ ONLY transaction as `role`, with built-ins alone on the search path
 * (so an unqualified name can never reach a function of the app), standard strings and a
 * statement timeout. The role and settings end with the transaction.
 */
export async function asPredicateRole<T>(db: pg.ClientBase, role: string, options: EvaluationOptions, work: () => Promise<T>): Promise<T> {
  await db.query(`begin transaction isolation level ${options.isolation ?? 'read committed'} read only`);
  try {
    await db.query(`set local role ${quoteIdent(role)}`);
    await db.query('set local search_path = pg_catalog, pg_temp');
    await db.query('set local standard_conforming_strings = on');
    await db.query(`set local statement_timeout = '${options.timeout}'`);
    const result = await work();
    await db.query('commit');
    return result;
  } catch (error) {
    await db.query('rollback').catch(() => undefined);
    throw error;
  }
}
