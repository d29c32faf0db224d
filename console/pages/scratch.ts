import type { Hono } from 'hono';
import { html } from 'hono/html';
import { restoreWorkflowId, type RestoreSummary } from '../../core/restore-input';
import { reconstructWorkflowId, type ReconstructSummary } from '../../core/restore-points';
import { permits } from '../../identity/permissions';
import { page } from '../layout';
import { problem, userOf, type ConsoleDeps, type ConsoleEnv } from '../context';
import type { MessageKey } from '../messages';

const KINDS = {
  restore: { workflowId: restoreWorkflowId, started: 'restore.started', idField: 'restoreId' },
  reconstruct: { workflowId: reconstructWorkflowId, started: 'reconstruct.started', idField: null },
} as const;

/**
 * A restore (or reconstruction) into a scratch database, started by the wizard: what it is,
 * from its ledger entry, and how far its workflow has come (press Refresh). Shown to whoever
 * may restore into its target, or who started it.
 */
export function registerScratchPage(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/scratch/:kind/:id', async (c) => {
    const v = c.var.view;
    const kind = c.req.param('kind');
    const id = c.req.param('id');
    if (kind !== 'restore' && kind !== 'reconstruct') return problem(c, 404, v.t('error.notFound'));
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(id)) return problem(c, 404, v.t('error.notFound'));
    const k = KINDS[kind];
    const entry = (await deps.catalog('ledger')
      .where({ action: k.started })
      .modify((q) => (k.idField ? q.whereRaw(`details->>'restoreId' = ?`, [id]) : q.where({ subject: `reconstruct:${id}` })))
      .first('actor', 'subject', 'details')) as { actor: string; subject: string; details: { target?: string; source?: string; at?: string } } | undefined;
    const user = userOf(c).principal;
    if (entry && !permits(user.roles, 'restore', entry.details.target ?? '') && entry.actor !== user.subject) return problem(c, 404, v.t('error.notFound'));
    const handle = deps.client.temporal.workflow.getHandle(k.workflowId(id));
    const described = await handle.describe().catch(() => null);
    if (!described) return problem(c, 404, v.t('error.notFound'));
    const status = described.status.name;
    let outcome = html`<p role="status">${v.t(entry ? 'scratch.running' : 'scratch.starting')}</p>`;
    if (status === 'COMPLETED') {
      const result = (await handle.result()) as RestoreSummary | ReconstructSummary;
      outcome =
        'rows' in result
          ? html`<p role="status">${v.t('scratch.done', { rows: result.rows, tables: result.tables.length })}</p>`
          : html`<p role="status">${v.t('scratch.doneReconstruct', { rows: result.baseRows, exportId: result.baseExportId, entries: result.entriesReplayed })}</p>`;
    } else if (status !== 'RUNNING') {
      const message = await handle.result().then(
        () => status,
        (error: Error) => (error.cause instanceof Error ? error.cause.message : error.message),
      );
      outcome = html`<p class="error" role="alert">${v.t('scratch.failed', { message })}</p>`;
    }
    const what = entry
      ? v.t(`scratch.kind.${kind}` as MessageKey, { exportId: entry.subject, source: entry.details.source ?? '', at: entry.details.at ?? '', target: entry.details.target ?? '' })
      : '';
    const body = html`${what ? html`<p>${what}</p>` : ''}
<p>${v.t('scratch.status', { status })}</p>
${outcome}
<p><a href="/scratch/${kind}/${id}">${v.t('rollback.refresh')}</a></p>`;
    return c.html(page(v, v.t('scratch.title', { id }), body));
  });
}
