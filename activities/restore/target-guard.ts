import type { Knex } from 'knex';
import type pg from 'pg';
import { claimHolders, committedSummary, recordClaim } from '../../catalog/restore-claims-repo';
import { RestorepointError } from '../../core/errors';
import type { Manifest } from '../../core/manifest';

/** Advisory locks of restore claims are the pair (this tag, hashtext of the table): 'rprs' as an int4. */
const CLAIM_LOCK_TAG = 0x72707273;

interface DatabaseIdentity {
  readonly systemIdentifier: string;
  readonly database: string;
}

const IDENTITY_SQL = `select current_database() as database, (select system_identifier::text from pg_control_system()) as system_identifier`;

async function identityOf(query: () => Promise<{ rows: { database: string; system_identifier: string }[] }>): Promise<DatabaseIdentity> {
  const row = (await query()).rows[0]!;
  return { database: row.database, systemIdentifier: row.system_identifier };
}

const sameDatabase = (a: DatabaseIdentity, b: DatabaseIdentity) => a.systemIdentifier === b.systemIdentifier && a.database === b.database;

/**
 * Refuses a target a restore must never write into, before anything is written: a template
 * database, restorepoint's catalog (its own, or any database holding a catalog's tables), and
 * the live database the export was read from, unless the rows go into a new schema of their
 * own (scratch copies, a rollback's staging schema): a source's own tables are written only
 * by an approved rollback. Returns the target's identity, the key of its claims.
 */
export async function refuseForbiddenTarget(client: pg.ClientBase, catalog: Knex, target: string, targetSchema: string | undefined, manifest: Manifest): Promise<string> {
  const identity = await identityOf(() => client.query(IDENTITY_SQL));
  const refuse = (why: string) => {
    throw new RestorepointError('TARGET_FORBIDDEN', `refusing to restore into "${target}" (database ${identity.database}): ${why}; nothing was written`, { target, database: identity.database });
  };
  const template = await client.query<{ is_template: boolean }>('select datistemplate as is_template from pg_database where datname = current_database()');
  if (template.rows[0]?.is_template || ['template0', 'template1'].includes(identity.database)) refuse('it is a template database, copied into every new database');
  const catalogIdentity = await identityOf(async () => (await catalog.raw(IDENTITY_SQL)) as { rows: { database: string; system_identifier: string }[] });
  const holdsCatalog = await client.query<{ found: boolean }>(
    `select to_regclass('public.knex_migrations') is not null and to_regclass('public.export_files') is not null and to_regclass('public.ledger') is not null as found`,
  );
  if (sameDatabase(identity, catalogIdentity) || holdsCatalog.rows[0]?.found) refuse("it is restorepoint's catalog");
  if (sameDatabase(identity, manifest.source)) {
    if (!targetSchema) refuse(`it is the live source the export was read from; restore into another database or a new schema (--schema), or roll back (restorepoint rollback)`);
    const live = new Set(manifest.tables.map((t) => t.schema));
    if (live.has(targetSchema!)) refuse(`schema ${targetSchema} is one of the live source's own schemas`);
  }
  return `${identity.systemIdentifier}/${identity.database}`;
}

/**
 * Takes the exclusive claim on the tables a restore writes: one transaction-scoped advisory
 * lock per table in the target (released by commit, rollback, or the connection's end when a
 * worker dies), then the catalog row naming the holder. A table another restore holds is
 * refused with TARGET_BUSY, naming that restore. Call inside the restore's transaction, before
 * the target is looked at. When this same restore already committed into these tables (its
 * worker died before the activity could report), returns what it reported then.
 */
export async function claimTargetTables(
  client: pg.ClientBase,
  catalog: Knex,
  claim: { readonly database: string; readonly tables: readonly string[]; readonly restoreId: string; readonly exportId: string; readonly target: string },
): Promise<{ readonly committedBefore?: unknown }> {
  const tables = [...new Set(claim.tables)].sort();
  const { rows } = await client.query<{ name: string; got: boolean }>(
    'select t as name, pg_try_advisory_xact_lock($1::int4, hashtext(t)) as got from unnest($2::text[]) with ordinality u(t, n) order by n',
    [CLAIM_LOCK_TAG, tables],
  );
  const busy = rows.filter((r) => !r.got).map((r) => r.name);
  if (busy.length > 0) {
    const holders = await claimHolders(catalog, claim.database, busy);
    // Under load Temporal can retry a restore while its first attempt still runs (a missed
    // heartbeat): that is not another restore, and refusing would fail the restore for good.
    if (holders.length === busy.length && holders.every((h) => h.restoreId === claim.restoreId)) {
      throw new RestorepointError('TARGET_HELD_BY_EARLIER_ATTEMPT', `an earlier attempt of restore ${claim.restoreId} still holds ${busy.join(', ')} in "${claim.target}"; this attempt wrote nothing and is retried`, {
        target: claim.target,
        tables: busy,
      });
    }
    const named = holders.length > 0 ? holders.map((h) => `${h.table} by restore ${h.restoreId} since ${h.claimedAt.toISOString()}`).join(', ') : busy.join(', ');
    throw new RestorepointError('TARGET_BUSY', `another restore is writing into "${claim.target}": ${named}; nothing was written`, {
      target: claim.target,
      tables: busy,
      holders: holders.map((h) => h.restoreId),
    });
  }
  const committedBefore = await committedSummary(catalog, claim.database, tables, claim.restoreId);
  if (committedBefore !== undefined) return { committedBefore };
  await recordClaim(catalog, { ...claim, tables });
  return {};
}
