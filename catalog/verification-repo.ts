import type { Knex } from 'knex';
import { z } from 'zod';
import type { VerificationCandidate } from '../core/verification/pick-exports';
import type { VerificationResults } from '../core/verification/verification-report';
import { VERIFICATION_LEVELS, levelCovers, verificationLevelSchema, type VerificationLevel } from '../core/verification/verification-level';
import { int8 } from './int8';

const runRowSchema = z
  .object({
    id: z.string(),
    export_id: z.string(),
    level: verificationLevelSchema,
    status: z.enum(['running', 'passed', 'failed', 'errored']),
    started_at: z.date(),
    finished_at: z.date().nullable(),
    results: z.custom<Partial<VerificationResults>>((v) => typeof v === 'object').nullable(),
    requested_by: z.string(),
    incremental: z.boolean(),
  })
  .transform((r) => ({
    id: r.id,
    exportId: r.export_id,
    level: r.level,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    results: r.results ?? {},
    requestedBy: r.requested_by,
    incremental: r.incremental,
  }));
export type VerificationRun = Readonly<z.output<typeof runRowSchema>>;

export interface NewVerificationRun {
  readonly id: string;
  readonly exportId: string;
  readonly level: VerificationLevel;
  readonly requestedBy: string;
  readonly incremental: boolean;
}

/** Records a run as running; a retried call finds the first one and returns it untouched. */
export async function startRun(db: Knex, run: NewVerificationRun): Promise<{ readonly created: boolean; readonly run: VerificationRun }> {
  const inserted = await db('verification_runs')
    .insert({ id: run.id, export_id: run.exportId, level: run.level, requested_by: run.requestedBy, incremental: run.incremental, status: 'running' })
    .onConflict('id')
    .ignore()
    .returning('*');
  if (inserted[0]) return { created: true, run: runRowSchema.parse(inserted[0]) };
  const existing = await getRun(db, run.id);
  if (!existing) throw new Error(`verification run ${run.id} conflicted on insert but cannot be read`);
  return { created: false, run: existing };
}

export async function getRun(db: Knex, id: string): Promise<VerificationRun | undefined> {
  const row: unknown = await db('verification_runs').where({ id }).first();
  return row === undefined ? undefined : runRowSchema.parse(row);
}

/** An export's runs, newest first. */
export async function listRuns(db: Knex, exportId: string, limit = 20): Promise<readonly VerificationRun[]> {
  const rows: unknown[] = await db('verification_runs').where({ export_id: exportId }).orderBy('started_at', 'desc').limit(limit);
  return rows.map((row) => runRowSchema.parse(row));
}

/** Replaces the given parts of a running run's results (each phase writes its own part; a retry rewrites it). */
export async function saveResults(db: Knex, id: string, part: Partial<VerificationResults>): Promise<void> {
  await db('verification_runs')
    .where({ id, status: 'running' })
    .update({ results: db.raw(`coalesce(results, '{}'::jsonb) || ?::jsonb`, [JSON.stringify(part)]) });
}

/** Ends a running run; false when it had ended already (a retried activity), so side effects run once. */
export async function finishRun(db: Knex, id: string, status: 'passed' | 'failed' | 'errored'): Promise<boolean> {
  const changed = await db('verification_runs').where({ id, status: 'running' }).update({ status, finished_at: db.fn.now() });
  return changed > 0;
}

/** Marks an export verified (and when) or corrupt; a corrupt export keeps the time it last passed. */
export async function markVerification(db: Knex, exportId: string, outcome: 'verified' | 'corrupt'): Promise<void> {
  await db('exports')
    .where({ id: exportId })
    .update(outcome === 'verified' ? { verification_status: 'verified', verified_at: db.fn.now() } : { verification_status: 'corrupt' });
}

/**
 * Finished exports with the last run that passed at `level` or deeper, for the scheduled
 * picker. An export "changes" when it finishes; later object rewrites (tiering) are caught by
 * incremental verification, which compares each object's generation.
 */
export async function listVerificationCandidates(db: Knex, level: VerificationLevel): Promise<readonly VerificationCandidate[]> {
  const covering = VERIFICATION_LEVELS.filter((l) => levelCovers(l, level));
  const result = await db.raw<{ rows: { id: string; verification_status: string; changed_at: Date; passed_at: Date | null; passed_level: string | null }[] }>(
    `select e.id, e.verification_status, coalesce(e.finished_at, e.created_at) as changed_at, r.finished_at as passed_at, r.level as passed_level
       from exports e
       left join lateral (
         select finished_at, level from verification_runs
          where export_id = e.id and status = 'passed' and level = any(?::text[])
          order by finished_at desc limit 1) r on true
      where e.status = 'succeeded'`,
    [pgTextArray(covering)],
  );
  return result.rows.map((r) => ({
    exportId: r.id,
    verificationStatus: z.enum(['unverified', 'verified', 'corrupt']).parse(r.verification_status),
    changedAt: r.changed_at.toISOString(),
    lastPassed: r.passed_at && r.passed_level ? { at: r.passed_at.toISOString(), level: verificationLevelSchema.parse(r.passed_level) } : null,
  }));
}

/** What the store reported about an object when it was last found as recorded. */
export interface VerifiedObject {
  readonly exportId: string;
  readonly objectKey: string;
  readonly level: VerificationLevel;
  readonly size: number;
  readonly generation: string | null;
  readonly updated: string | null;
  readonly crc32c: string | null;
  readonly md5: string | null;
  readonly expectedSha256: string;
  readonly runId: string;
  readonly verifiedAt: Date;
}

const verifiedObjectRowSchema = z
  .object({
    export_id: z.string(),
    object_key: z.string(),
    level: verificationLevelSchema,
    size: int8,
    generation: z.string().nullable(),
    updated: z.string().nullable(),
    crc32c: z.string().nullable(),
    md5: z.string().nullable(),
    expected_sha256: z.string(),
    run_id: z.string(),
    verified_at: z.date(),
  })
  .transform(
    (r): VerifiedObject => ({
      exportId: r.export_id,
      objectKey: r.object_key,
      level: r.level,
      size: r.size,
      generation: r.generation,
      updated: r.updated,
      crc32c: r.crc32c,
      md5: r.md5,
      expectedSha256: r.expected_sha256,
      runId: r.run_id,
      verifiedAt: r.verified_at,
    }),
  );

export async function listVerifiedObjects(db: Knex, exportId: string): Promise<ReadonlyMap<string, VerifiedObject>> {
  const rows: unknown[] = await db('verified_objects').where({ export_id: exportId });
  return new Map(rows.map((row) => verifiedObjectRowSchema.parse(row)).map((v) => [v.objectKey, v]));
}

/**
 * Remembers an object as verified. When the same version was verified deeper before, the
 * deeper level is kept: a checksums pass does not undo what a decode pass proved.
 */
export async function rememberVerifiedObject(db: Knex, v: Omit<VerifiedObject, 'verifiedAt'>): Promise<void> {
  await db.raw(
    `insert into verified_objects (export_id, object_key, level, size, generation, updated, crc32c, md5, expected_sha256, run_id)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (export_id, object_key) do update set
       level = case
         when (verified_objects.size, verified_objects.generation, verified_objects.updated, verified_objects.crc32c, verified_objects.md5, verified_objects.expected_sha256)
              is not distinct from (excluded.size, excluded.generation, excluded.updated, excluded.crc32c, excluded.md5, excluded.expected_sha256)
              and array_position(?::text[], verified_objects.level) > array_position(?::text[], excluded.level)
         then verified_objects.level else excluded.level end,
       size = excluded.size, generation = excluded.generation, updated = excluded.updated, crc32c = excluded.crc32c, md5 = excluded.md5,
       expected_sha256 = excluded.expected_sha256, run_id = excluded.run_id, verified_at = now()`,
    [v.exportId, v.objectKey, v.level, v.size, v.generation, v.updated, v.crc32c, v.md5, v.expectedSha256, v.runId, pgTextArray(VERIFICATION_LEVELS), pgTextArray(VERIFICATION_LEVELS)],
  );
}

/** Forgets an object that failed: the next run reads it again, whatever the store reports. */
export async function forgetVerifiedObject(db: Knex, exportId: string, objectKey: string): Promise<void> {
  await db('verified_objects').where({ export_id: exportId, object_key: objectKey }).delete();
}

/** A text[] literal: knex would expand a JS array binding into a list of parameters. */
function pgTextArray(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}
