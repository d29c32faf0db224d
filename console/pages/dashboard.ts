import type { Hono } from 'hono';
import { html } from 'hono/html';
import { dataTable, page, type Html, type View } from '../layout';
import { age, lastGood, restorePoints, rollbacksOf, sourcesPermitting, storageByClass, successRate, verificationRunsOf, type RestorePoint } from '../data';
import { problem, userOf, type ConsoleDeps, type ConsoleEnv } from '../context';
import type { MessageKey } from '../messages';
import { listAlerts } from '../../catalog/alerts-repo';
import { storageByTier } from '../storage-tiers';
import { readTrail, type TrailView } from '../trail-view';
import { DEFAULT_STALE_AFTER_MILLIS, rpoStanding } from '../rpo';
import { raisedAlertItem } from './source-alerts';

const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** The trail's state in a sentence, when there is no table to show. */
export function trailStateText(trail: TrailView, v: View): string {
  return trail.state === 'untracked' ? v.t('trail.untracked') : trail.state === 'unreadable' ? v.t('trail.unreadable', { reason: trail.reason }) : '';
}

/** Per tracked table: its newest trail entry and how long ago that was (by the source's clock). */
function trailLagSection(trail: TrailView, v: View): Html {
  if (trail.state !== 'tracked') return html`<p>${trailStateText(trail, v)}</p>`;
  return dataTable(
    v.t('source.trailLag'),
    [v.t('col.table'), v.t('col.newestEntry'), v.t('col.lag')],
    trail.lag.map((l) => [l.table, l.newestAt ? l.newestAt.toISOString() : v.t('trail.noEntries'), l.newestAt ? age(trail.now.getTime() - l.newestAt.getTime()) : '']),
  );
}

/** The RPO target with its verdict in words (never by colour alone): "1 h: within target". */
function rpoCell(config: ConsoleDeps['config'], source: string, goodAge: number | null, v: View): Html {
  const standing = rpoStanding(config, source, goodAge);
  if (standing.targetMillis === null) return html`${v.t('rpo.none')}`;
  const text = v.t(standing.verdict === 'within' ? 'rpo.within' : 'rpo.over', { target: age(standing.targetMillis) });
  return standing.verdict === 'over' ? html`<strong class="corrupt">${text}</strong>` : html`${text}`;
}

const goodAgeOf = (good: RestorePoint | undefined): number | null => (good ? Date.now() - (good.record.finishedAt ?? good.record.createdAt).getTime() : null);

const percent = (rate: number | null, v: View) => (rate === null ? v.t('dashboard.never') : `${Math.round(rate * 100)} %`);

export function verificationCell(point: RestorePoint, v: View): Html {
  const status = point.record.verificationStatus;
  const text = v.t(`verification.${status}` as MessageKey);
  return status === 'corrupt' ? html`<strong class="corrupt">${text}</strong>` : html`${text}`;
}

export const kindText = (point: RestorePoint, v: View) => v.t(`kind.${point.kind}` as MessageKey);

export function registerDashboard(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/dashboard', async (c) => {
    const v = c.var.view;
    const sources = sourcesPermitting(deps.config, userOf(c).principal, 'catalog.read');
    const rows = await Promise.all(
      sources.map(async (source) => {
        const good = lastGood(await restorePoints(deps.catalog, source));
        const rollbacks = await rollbacksOf(deps.catalog, source);
        const goodAge = goodAgeOf(good);
        return [
          html`<a href="/sources/${source}">${v.t('dashboard.open', { source })}</a>`,
          good ? good.record.id : v.t('dashboard.never'),
          goodAge === null ? '' : age(goodAge),
          rpoCell(deps.config, source, goodAge, v),
          rollbacks.length,
          percent(successRate(rollbacks), v),
        ];
      }),
    );
    const body = sources.length
      ? dataTable(v.t('dashboard.title'), [v.t('dashboard.source'), v.t('dashboard.lastGood'), v.t('dashboard.age'), v.t('dashboard.rpo'), v.t('dashboard.rollbacks'), v.t('dashboard.successRate')], rows)
      : html`<p>${v.t('dashboard.none')}</p>`;
    return c.html(page(v, v.t('dashboard.title'), body));
  });

  app.get('/sources/:source', async (c) => {
    const v = c.var.view;
    const source = c.req.param('source');
    if (!sourcesPermitting(deps.config, userOf(c).principal, 'catalog.read').includes(source)) return problem(c, 404, v.t('error.notFound'));
    const points = await restorePoints(deps.catalog, source, 50);
    const rollbacks = await rollbacksOf(deps.catalog, source);
    const runs = await verificationRunsOf(deps.catalog, source);
    const storage = await storageByClass(deps.catalog, source);
    const tiers = await storageByTier(deps.config, deps.catalog, source, new Date());
    const trail = await readTrail(deps.config, deps.catalog, source);
    const good = lastGood(points);
    const goodAge = goodAgeOf(good);
    // The source's RPO target when it has one (what the slo-rpo alert uses), else a day.
    const rpo = rpoStanding(deps.config, source, goodAge);
    const staleAfter = rpo.targetMillis ?? DEFAULT_STALE_AFTER_MILLIS;
    const alerts = [
      ...(goodAge === null || goodAge > staleAfter ? [rpo.targetMillis === null ? v.t('source.staleAlert') : v.t('source.rpoAlert', { target: age(rpo.targetMillis) })] : []),
      ...points.filter((p) => p.record.verificationStatus === 'corrupt').map((p) => v.t('source.corruptAlert', { exportId: p.record.id })),
    ];
    // The accident detector's and the service objectives' alerts (docs/observability.md): counts and names only, never row values.
    const raised = await listAlerts(deps.catalog, { source, limit: 20 });
    const recovered = rollbacks.filter((r) => r.stage === 'done');
    const body = html`<h2>${v.t('source.health')}</h2>
<dl>
<dt>${v.t('dashboard.lastGood')}</dt><dd>${good ? good.record.id : v.t('dashboard.never')}</dd>
<dt>${v.t('dashboard.age')}</dt><dd>${goodAge === null ? '' : age(goodAge)}</dd>
<dt>${v.t('dashboard.rpo')}</dt><dd>${rpoCell(deps.config, source, goodAge, v)}</dd>
<dt>${v.t('dashboard.successRate')}</dt><dd>${percent(successRate(rollbacks), v)}</dd>
</dl>
<h2>${v.t('source.alerts')}</h2>
${alerts.length || raised.length
  ? html`<ul>
${alerts.map((a) => html`<li>${a}</li>`)}
${raised.map((a) => raisedAlertItem(a, v, userOf(c).principal))}
</ul>`
  : html`<p>${v.t('source.noAlerts')}</p>`}
<h2>${v.t('source.exports')}</h2>
${points.length
  ? dataTable(
      v.t('source.exports'),
      [v.t('col.export'), v.t('col.kind'), v.t('col.status'), v.t('col.verification'), v.t('col.hold'), v.t('col.rows'), v.t('col.created')],
      points.map((p) => [p.record.id, kindText(p, v), p.record.status, verificationCell(p, v), p.record.legalHold ? v.t('hold.yes') : v.t('hold.no'), p.record.rows ?? '', p.record.createdAt.toISOString()]),
    )
  : html`<p>${v.t('source.noExports')}</p>`}
<h2>${v.t('source.verifications')}</h2>
${runs.length
  ? dataTable(v.t('source.verifications'), [v.t('col.export'), v.t('col.level'), v.t('col.status'), v.t('col.started')], runs.map((r) => [r.exportId, r.level, r.status, r.startedAt.toISOString()]))
  : html`<p>${v.t('source.noVerifications')}</p>`}
<h2>${v.t('source.storage')}</h2>
${dataTable(
  v.t('source.storage'),
  [v.t('col.storageClass'), v.t('col.exports'), v.t('col.megabytes')],
  storage.map((u) => [u.storageClass ?? v.t('source.defaultClass'), u.exports, megabytes(u.bytes)]),
)}
<h2>${v.t('source.storageTier')}</h2>
${tiers
  ? dataTable(
      v.t('source.storageTier'),
      [v.t('col.tier'), v.t('col.storageClass'), v.t('col.exports'), v.t('col.megabytes')],
      tiers.map((u) => [u.tier, u.storageClass ?? v.t('source.defaultClass'), u.exports, megabytes(u.bytes)]),
    )
  : html`<p>${v.t('source.noRetentionPolicy')}</p>`}
<h2>${v.t('source.trailLag')}</h2>
${trailLagSection(trail, v)}
<h2>${v.t('source.rollbacks')}</h2>
${rollbacks.length
  ? dataTable(
      v.t('source.rollbacks'),
      [v.t('col.rollback'), v.t('col.stage'), v.t('col.requestedBy'), v.t('col.created'), v.t('source.recoveryTime')],
      rollbacks.map((r) => [
        html`<a href="/rollbacks/${r.id}">${r.id}</a>`,
        v.t(`stage.${r.stage}` as MessageKey),
        r.requestedBy,
        r.createdAt.toISOString(),
        recovered.includes(r) ? age(r.updatedAt.getTime() - r.createdAt.getTime()) : '',
      ]),
    )
  : html`<p>${v.t('source.noRollbacks')}</p>`}`;
    return c.html(page(v, v.t('source.title', { source }), body));
  });
}
