import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { classifyFailure, RestorepointError } from '../../core/errors';
import { checkSchemaDumpable } from '../../postgres/dump-preflight';
import { dumpSchema } from '../../postgres/schema-dump';
import { resolveSource, type ActivityDeps } from '../deps';
import { withSourceClient } from './source-client';

/**
 * Runs, before anyone is asked to approve, the one step of the safety snapshot that can
 * refuse a scope the rollback itself accepts: pg_dump's schema DDL of the scope's schemas
 * (a schema pg_dump cannot match, a table it may not lock). Rows are not read. A failure
 * stops the rollback in prepare, typed and not retried, instead of after approval at the
 * snapshot. The probe joins a snapshot of its own, as the export joins its shared one.
 */
export async function probeSafetySnapshot(deps: ActivityDeps, source: string, schemas: readonly string[]): Promise<void> {
  const url = resolveSource(deps.config, source).url;
  await withSourceClient(deps, source, 'snapshot-probe', async (db) => {
    await db.query('begin isolation level repeatable read read only');
    try {
      const { rows } = await db.query<{ id: string }>('select pg_export_snapshot() as id');
      // As the safety snapshot's export dumps it: exactly these schemas (extensions add nothing to lock).
      const scope = { partial: true, schemas, extensions: [] };
      // Asked through node-postgres first, so a missing schema or a table it may not lock is typed by its SQLSTATE.
      await checkSchemaDumpable(db, scope);
      const dump = dumpSchema(url, scope, 'pre-data', rows[0]!.id);
      await Promise.all([pipeline(dump.stdout, new Writable({ write: (_chunk, _encoding, done) => done() })), dump.done]);
    } catch (error) {
      const typed = classifyFailure(error) ?? new RestorepointError('DATABASE_REFUSED', (error as Error).message);
      if (typed.retryable) throw typed;
      throw new RestorepointError(typed.code, `the safety snapshot of ${schemas.join(', ')} could not be taken (${typed.message}); the rollback stopped before approval and changed nothing`, { ...typed.details, schemas });
    } finally {
      await db.query('rollback').catch(() => undefined);
    }
  });
}
