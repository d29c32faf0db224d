import { clearAlert, raiseAlert, unresolvedAlert } from '../../catalog/alerts-repo';
import type { AlertCounts, AlertKind } from '../../core/alerts/alert';
import type { ActivityDeps } from '../deps';
import { resolveSource } from '../deps';
import { withSourceClient } from '../rollback/source-client';
import type { RaisedAlert } from './detect-accidents';

/** One objective's state for a source: breached (with its figures) or met. */
interface Objective {
  readonly kind: Extract<AlertKind, `slo-${string}` | 'rollback-burst'>;
  readonly breached: boolean;
  readonly counts: AlertCounts;
  readonly summary: string;
  /** Since when the figures say so: the window of the alert. */
  readonly since: Date;
}

export interface ObjectivesOutcome {
  readonly raised: readonly RaisedAlert[];
  readonly cleared: readonly string[];
}

/**
 * The service objectives of one source, read from the catalog: a good export within the RPO
 * target (`sources.<name>.rpoTargetSeconds`), the latest verification passed, and fewer than
 * `alerts.failedExportsStreak` exports failed in a row; and no burst of rollbacks or reverts
 * (`alerts.rollbackBurst` within `alerts.rollbackBurstSeconds`), which is not an objective but
 * behaves like one: raised while it lasts, cleared once it has passed. A breach raises one alert per source
 * and objective, kept open (or acknowledged) while it lasts; once met again it is cleared.
 * Repeating the check changes nothing (a unique index holds one unresolved alert per key).
 */
export async function checkObjectives(deps: ActivityDeps, request: { readonly source: string; readonly actor: string }): Promise<ObjectivesOutcome> {
  const now = deps.clock();
  const objectives = [await exportFailures(deps, request.source, now), await verification(deps, request.source, now), await rollbackBurst(deps, request.source, now)];
  const rpo = resolveSource(deps.config, request.source).rpoTargetSeconds;
  if (rpo !== undefined) objectives.push(await recoveryPoint(deps, request.source, rpo, now));
  const sealAge = deps.config.alerts.trailSealMaxAgeSeconds;
  if (sealAge !== undefined) {
    const sealing = await trailSealing(deps, request.source, sealAge, now);
    if (sealing) objectives.push(sealing);
  }
  const raised: RaisedAlert[] = [];
  const cleared: string[] = [];
  for (const objective of objectives) {
    const key = `${request.source}|${objective.kind}`;
    const existing = await unresolvedAlert(deps.catalog, key);
    if (objective.breached && !existing) {
      const outcome = await raiseAlert(
        deps.catalog,
        { key, kind: objective.kind, source: request.source, windowStart: objective.since, windowEnd: now, counts: objective.counts, summary: objective.summary },
        request.actor,
      );
      if (outcome.alert) raised.push({ id: outcome.alert.id, kind: objective.kind, source: request.source });
    } else if (!objective.breached && existing) {
      if (await clearAlert(deps.catalog, existing.id, request.actor, { kind: objective.kind, source: request.source, counts: { ...objective.counts } })) cleared.push(existing.id);
    }
  }
  return { raised, cleared };
}

async function recoveryPoint(deps: ActivityDeps, source: string, target: number, now: Date): Promise<Objective> {
  const row = (await deps.catalog('exports').where({ source, status: 'succeeded' }).whereNot({ verification_status: 'corrupt' }).max({ finished: 'finished_at' }).first()) as { finished: Date | null } | undefined;
  const finished = row?.finished ? new Date(row.finished) : null;
  const age = finished ? Math.round((now.getTime() - finished.getTime()) / 1000) : null;
  const breached = age === null || age > target;
  return {
    kind: 'slo-rpo',
    breached,
    counts: { value: age ?? -1, target },
    summary: age === null ? `${source}: no good export at all; RPO target ${target} s` : `${source}: last good export ${age} s ago, over its RPO target of ${target} s`,
    since: finished ? new Date(finished.getTime() + target * 1000) : now,
  };
}

async function verification(deps: ActivityDeps, source: string, now: Date): Promise<Objective> {
  const latest = (await deps.catalog('verification_runs as v')
    .join('exports as e', 'e.id', 'v.export_id')
    .where('e.source', source)
    .whereIn('v.status', ['passed', 'failed'])
    .whereNot('e.status', 'deleted')
    .orderBy('v.finished_at', 'desc')
    .first('v.status', 'v.export_id', 'v.finished_at')) as { status: string; export_id: string; finished_at: Date } | undefined;
  const breached = latest?.status === 'failed';
  return {
    kind: 'slo-verification',
    breached,
    counts: { value: breached ? 1 : 0, target: 0 },
    summary: `${source}: the latest verification (export ${latest?.export_id ?? 'none'}) failed: the export is corrupt`,
    since: latest ? new Date(latest.finished_at) : now,
  };
}

/**
 * Whether the source's trail keeps sealing: breached when a change captured after the last
 * sealing is older than `maxAge`. A trail without writes needs no sealing; a source without a
 * trail has no such objective (null).
 */
async function trailSealing(deps: ActivityDeps, source: string, maxAge: number, now: Date): Promise<Objective | null> {
  const found = await withSourceClient(deps, source, 'objectives', async (client) => {
    const { rows } = await client.query<{ installed: boolean }>("select to_regclass('restorepoint_trail.seal_run') is not null as installed");
    if (!rows[0]?.installed) return null;
    const { rows: [r] } = await client.query<{ last_sealed: Date | null; oldest: Date | null }>(
      `select s.last_sealed,
              (select min(c.at) from restorepoint_trail.change c
                where c.at > coalesce(s.last_sealed, '-infinity') and c.at < clock_timestamp() - make_interval(secs => $1)) as oldest
         from (select max(sealed_at) as last_sealed from restorepoint_trail.seal_run) s`,
      [maxAge],
    );
    return r ?? null;
  });
  if (!found) return null;
  const oldest = found.oldest ? new Date(found.oldest) : null;
  return {
    kind: 'slo-trail-seal',
    breached: oldest !== null,
    counts: { value: oldest ? Math.round((now.getTime() - oldest.getTime()) / 1000) : 0, target: maxAge },
    summary: `${source}: the change trail holds changes unsealed for over ${maxAge} s (last sealed ${found.last_sealed ? new Date(found.last_sealed).toISOString() : 'never'}); point-in-time restores stop at the last sealing`,
    since: oldest ?? now,
  };
}

async function rollbackBurst(deps: ActivityDeps, source: string, now: Date): Promise<Objective> {
  const { rollbackBurst: limit, rollbackBurstSeconds: seconds } = deps.config.alerts;
  const since = new Date(now.getTime() - seconds * 1000);
  const row = (await deps.catalog('rollbacks').where({ source }).where('created_at', '>', since).count({ n: '*' }).first()) as { n: string | number } | undefined;
  const n = Number(row?.n ?? 0);
  return {
    kind: 'rollback-burst',
    breached: n >= limit,
    counts: { value: n, target: limit },
    summary: `${source}: ${n} rollbacks or reverts requested within ${seconds} s`,
    since,
  };
}

async function exportFailures(deps: ActivityDeps, source: string, now: Date): Promise<Objective> {
  const streak = deps.config.alerts.failedExportsStreak;
  const recent = (await deps.catalog('exports').where({ source }).whereIn('status', ['succeeded', 'failed']).orderBy('finished_at', 'desc').limit(streak).select('status', 'finished_at')) as { status: string; finished_at: Date }[];
  const failed = recent.findIndex((r) => r.status !== 'failed');
  const run = failed === -1 ? recent.length : failed;
  return {
    kind: 'slo-export-failures',
    breached: run >= streak,
    counts: { value: run, target: streak },
    summary: `${source}: the last ${run} exports failed`,
    since: recent.at(-1)?.finished_at ? new Date(recent.at(-1)!.finished_at) : now,
  };
}
