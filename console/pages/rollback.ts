import type { Hono } from 'hono';
import { html } from 'hono/html';
import { getRollback, type RollbackRecord } from '../../activities/rollback/rollback-records';
import { FOLLOWING_POLICY } from '../content-security';
import { listRollbacks } from '../../client/find-rollbacks';
import { rollbackHandle, undoRollback } from '../../client/rollbacks';
import { isRestorepointError } from '../../core/errors';
import { rollbackIdSchema } from '../../core/rollback/rollback-input';
import type { PreviewSamples, RollbackPreview, SampleRow } from '../../core/rollback/rollback-preview';
import { FINAL_STAGES, type RollbackStage, type RollbackStatus } from '../../core/rollback/rollback-state';
import { permits } from '../../identity/permissions';
import { previewDigest } from '../../identity/preview-digest';
import { csrfField, dataTable, page, type Html, type View } from '../layout';
import { asUser, field, problem, seeOther, userOf, type ConsoleContext, type ConsoleDeps, type ConsoleEnv } from '../context';
import type { MessageKey } from '../messages';
import { sourcesPermitting } from '../data';

const row = (r: SampleRow | undefined) => (r ? JSON.stringify(r) : '');

/** The preview exactly as the approver approves it: counts, cascade impact, conflicts and samples by key. */
function previewSection(v: View, preview: RollbackPreview, samples: readonly PreviewSamples[], digest: string): Html {
  const outside = preview.outsideScope ?? [];
  return html`<h2>${v.t('rollback.preview')}</h2>
<p>${v.t('rollback.digest', { digest })}</p>
<p>${v.t('rollback.totals', { ...preview.totals })}</p>
${dataTable(
  v.t('rollback.preview'),
  [v.t('col.table'), v.t('col.inserts'), v.t('col.updates'), v.t('col.deletes'), v.t('col.changedSince')],
  preview.tables.map((t) => [t.table, t.inserts, t.updates, t.deletes, t.changedSinceTarget.reduce((sum, c) => sum + c.rows, 0)]),
)}
${preview.foreignKeys.length
  ? dataTable(v.t('rollback.foreignKeys'), [v.t('col.constraint'), v.t('col.child'), v.t('col.table'), v.t('col.removed'), v.t('col.orphaned')], preview.foreignKeys.map((f) => [f.constraint, f.child, f.parent, f.removed, f.orphaned]))
  : ''}
${outside.length
  ? dataTable(v.t('rollback.outsideScope'), [v.t('col.table'), v.t('col.removed'), v.t('col.updates'), v.t('col.problem')], outside.map((o) => [o.table, o.removed ?? '', o.changed ?? '', o.suggestion]))
  : ''}
${preview.constraintConflicts.length
  ? dataTable(v.t('rollback.conflicts'), [v.t('col.table'), v.t('col.constraint'), v.t('col.rows'), v.t('col.problem')], preview.constraintConflicts.map((k) => [k.table, k.constraint, k.rows, k.problem]))
  : html`<p>${v.t('rollback.noConflicts')}</p>`}
${samples
  .filter((s) => s.inserts.length + s.updates.length + s.deletes.length > 0)
  .map((s) =>
    dataTable(v.t('rollback.samples', { table: s.table }), [v.t('col.operation'), v.t('col.key'), v.t('col.before'), v.t('col.after')], [
      ...s.updates.map((u) => [v.t('col.updates'), row(u.key), row(u.before), row(u.after)]),
      ...s.inserts.map((i) => [v.t('col.inserts'), row(i.key), '', row(i.after)]),
      ...s.deletes.map((d) => [v.t('col.deletes'), row(d.key), row(d.before), '']),
    ]),
  )}`;
}

function decisionForm(v: View, rollbackId: string, digest: string, mayApprove: boolean, mayReject: boolean): Html {
  return html`<h2>${v.t('rollback.decide')}</h2>
<form method="post" action="/rollbacks/${rollbackId}/decision">${csrfField(v)}
<input type="hidden" name="digest" value="${digest}">
<label for="comment">${v.t('rollback.comment')}</label>
<textarea id="comment" name="comment" rows="3"></textarea>
${mayApprove ? html`<button type="submit" name="kind" value="approve">${v.t('rollback.approve')}</button>` : ''}
${mayReject ? html`<button type="submit" name="kind" value="reject">${v.t('rollback.reject')}</button>` : ''}
</form>`;
}

/** The requester's way to take back a request nobody has decided on yet. */
function withdrawForm(v: View, rollbackId: string): Html {
  return html`<h2>${v.t('rollback.withdrawTitle')}</h2>
<form method="post" action="/rollbacks/${rollbackId}/withdraw">${csrfField(v)}
<p>${v.t('rollback.withdrawHelp')}</p>
<label for="withdraw-comment">${v.t('rollback.comment')}</label>
<textarea id="withdraw-comment" name="comment" rows="2"></textarea>
<button type="submit">${v.t('rollback.withdraw')}</button>
</form>`;
}

function statusSection(v: View, s: RollbackStatus): Html {
  const accepted = s.decisions.filter((d) => d.accepted && d.kind === 'approve').length;
  return html`${s.decisions.length
  ? html`<h2>${v.t('rollback.decisions')}</h2><p>${v.t('rollback.approvals', { have: accepted, need: s.approvalsRequired })}</p><ul>${s.decisions.map((d) =>
      html`<li>${d.accepted ? v.t('rollback.decisionAccepted', { kind: d.kind, by: d.by, comment: d.comment }) : v.t('rollback.decisionRefused', { kind: d.kind, by: d.by, reason: d.reason ?? '' })}</li>`,
    )}</ul>`
  : ''}
${s.safetyExportId ? html`<p>${v.t('rollback.safety', { exportId: s.safetyExportId })}</p>` : ''}
${s.progress.rowsPlanned ? html`<p>${v.t('rollback.progress', { applied: s.progress.rowsApplied, planned: s.progress.rowsPlanned, table: s.progress.table ?? '' })}</p>` : ''}
${s.failure ? html`<p class="error">${v.t('rollback.failure', { code: s.failure.code, message: s.failure.message })}</p>` : ''}`;
}

function validationSection(v: View, validation: NonNullable<RollbackStatus['validation']>): Html {
  return html`<h2>${v.t('rollback.validation')}</h2>
<p>${validation.ok ? v.t('rollback.validationOk') : html`<strong class="corrupt">${v.t('rollback.validationFailed')}</strong>`}</p>
${dataTable(
  v.t('rollback.validation'),
  [v.t('col.table'), v.t('rollback.fingerprint'), v.t('rollback.differences'), v.t('col.orphaned')],
  Object.entries(validation.fingerprints).map(([table, fingerprint]) => [table, html`<code>${fingerprint}</code>`, validation.differences[table] ?? 0, validation.orphans[table] ?? 0]),
)}`;
}

export const isFinal = (stage: RollbackStage): boolean => FINAL_STAGES.includes(stage);

/** The rollback of the path, when it exists and the user may see its source. */
export async function visibleRollback(deps: ConsoleDeps, c: ConsoleContext): Promise<RollbackRecord | undefined> {
  const id = rollbackIdSchema.safeParse(c.req.param('id'));
  const record = id.success ? await getRollback(deps.catalog, id.data) : undefined;
  return record && permits(userOf(c).principal.roles, 'catalog.read', record.source) ? record : undefined;
}

/**
 * What a rollback's page shows below its title, as of now: rendered for the page, and again by
 * its event stream (rollback-events.ts) whenever it changed.
 */
export async function rollbackBody(deps: ConsoleDeps, c: ConsoleContext, record: RollbackRecord): Promise<{ readonly stage: RollbackStage; readonly body: Html }> {
  const v = c.var.view;
  const user = userOf(c);
  // The workflow's own answer while it can give one; the catalog's record once it cannot.
  const status = await rollbackHandle(asUser(deps.client, user), record.id)
    .status()
    .catch(() => null);
  const stage = status?.stage ?? record.stage;
  const preview = status?.preview ?? record.preview;
  const digest = status?.previewDigest ?? (preview ? previewDigest(preview) : null);
  const validation = status?.validation ?? record.validation;
  const roles = user.principal.roles;
  const own = user.principal.subject === record.requestedBy;
  const mayApprove = permits(roles, 'rollback.approve', record.source) && !own;
  const mayReject = permits(roles, 'rollback.reject', record.source) && !own;
  const awaiting = stage === 'awaiting-approval' && digest !== null;
  const body = html`<p>${v.t('rollback.stage', { stage: v.t(`stage.${stage}` as MessageKey) })}</p>
<p>${v.t('rollback.target', { mode: v.t(`mode.${record.mode === 'side-by-side' ? 'side-by-side' : 'in-place'}`), source: record.source, target: record.targetExportId, requestedBy: record.requestedBy, reason: record.reason })}</p>
${Object.entries(record.where).map(([table, predicate]) => html`<p>${v.t('rollback.scopeWhere', { table, predicate })}</p>`)}
${!isFinal(stage) && !awaiting ? html`<p role="status">${v.t('rollback.working')}</p>` : ''}
<p><a href="/rollbacks/${record.id}">${v.t('rollback.refresh')}</a></p>
${status ? statusSection(v, status) : ''}
${record.outcome ? html`<p>${v.t('rollback.outcome', { outcome: record.outcome })}</p>` : ''}
${validation ? validationSection(v, validation) : ''}
${preview && digest ? previewSection(v, preview, record.samples ?? [], digest) : html`<p>${v.t('rollback.waitingPreview')}</p>`}
${record.undoOf ? html`<p>${v.t('rollback.undoOf', { rollbackId: record.undoOf })}</p>` : ''}
${stage === 'done' && record.safetyExportId && permits(roles, 'rollback.undo', record.source)
  ? html`<form method="post" action="/rollbacks/${record.id}/undo">${csrfField(v)}<p>${v.t('rollback.undoHelp')}</p><button type="submit">${v.t('rollback.undo')}</button></form>`
  : ''}
${awaiting ? (mayApprove || mayReject ? decisionForm(v, record.id, digest, mayApprove, mayReject) : html`<p>${own ? v.t('rollback.ownRequest') : v.t('rollback.cannotDecide')}</p>`) : ''}
${awaiting && own && permits(roles, 'rollback.withdraw', record.source) ? withdrawForm(v, record.id) : ''}`;
  return { stage, body };
}

/** Rollback pages: pending approvals, one rollback with its preview, decisions, progress and validation, and the decision form. */
export function registerRollbackPages(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.get('/approvals', async (c) => {
    const v = c.var.view;
    const user = userOf(c);
    const visible = sourcesPermitting(deps.config, user.principal, 'catalog.read');
    const pending = (await listRollbacks(asUser(deps.client, user), { stage: 'awaiting-approval' })).filter((r) => r.source !== null && visible.includes(r.source));
    const body = pending.length
      ? dataTable(
          v.t('approvals.title'),
          [v.t('col.rollback'), v.t('dashboard.source'), v.t('col.requestedBy'), v.t('col.created')],
          pending.map((r) => [html`<a href="/rollbacks/${r.rollbackId}">${v.t('approvals.open', { rollbackId: r.rollbackId })}</a>`, r.source ?? '', r.requestedBy ?? '', r.startedAt]),
        )
      : html`<p>${v.t('approvals.none')}</p>`;
    return c.html(page(v, v.t('approvals.title'), body));
  });

  app.get('/rollbacks/:id', async (c) => {
    const v = c.var.view;
    const id = rollbackIdSchema.safeParse(c.req.param('id'));
    if (!id.success) return problem(c, 404, v.t('error.notFound'));
    const found = await visibleRollback(deps, c);
    const shown = found ? await rollbackBody(deps, c, found) : undefined;
    const title = v.t('rollback.title', { rollbackId: id.data });
    if (shown && isFinal(shown.stage)) return c.html(page(v, title, shown.body));
    // Still moving, or just requested and not in the catalog yet (the workflow records it in a
    // moment; an unknown or hidden id looks the same): the page follows its event stream.
    // Without script the Refresh link stays (a timed meta refresh would break WCAG 2.2.1 and
    // wipe a half-typed comment).
    const body = shown?.body ?? html`<p role="status">${v.t('rollback.notYet')}</p><p><a href="/rollbacks/${id.data}">${v.t('rollback.refresh')}</a></p>`;
    c.header('Content-Security-Policy', FOLLOWING_POLICY);
    return c.html(page(v, title, html`<div id="live" data-events="/rollbacks/${id.data}/events">${body}</div>`, html`<script src="/progress.js" defer></script>`), shown ? 200 : 404);
  });

  app.post('/rollbacks/:id/undo', async (c) => {
    const v = c.var.view;
    const user = userOf(c);
    const record = await visibleRollback(deps, c);
    if (!record) return problem(c, 404, v.t('error.notFound'));
    if (!permits(user.principal.roles, 'rollback.undo', record.source)) return problem(c, 403, v.t('error.forbidden', { reason: 'rollback.undo' }));
    // The same call as `rollback undo`: a new rollback back to the safety snapshot, previewed and approved as any other.
    const undo = await undoRollback(asUser(deps.client, user), deps.catalog, record.id, { requestedBy: user.principal.subject });
    return seeOther(c, `/rollbacks/${undo.rollbackId}`);
  });

  app.post('/rollbacks/:id/withdraw', async (c) => {
    const v = c.var.view;
    const user = userOf(c);
    const record = await visibleRollback(deps, c);
    if (!record) return problem(c, 404, v.t('error.notFound'));
    // Refused here already (the page offers it to the requester only); the worker checks the same again.
    if (!permits(user.principal.roles, 'rollback.withdraw', record.source) || user.principal.subject !== record.requestedBy) {
      return problem(c, 403, v.t('error.forbidden', { reason: 'rollback.withdraw (the requester only)' }));
    }
    try {
      await rollbackHandle(asUser(deps.client, user), record.id, deps.catalog).withdraw(field(c, 'comment'), user.principal.subject);
      v.session.flash = v.t('flash.withdrawn');
    } catch (error) {
      if (!isRestorepointError(error)) throw error;
      if (error.code === 'PERMISSION_DENIED' || error.code === 'AUTH_INVALID') return problem(c, 403, v.t('error.forbidden', { reason: error.message }));
      v.session.flash = v.t('flash.withdrawRefused', { reason: `${error.code}: ${error.message}` });
    }
    return seeOther(c, `/rollbacks/${record.id}`);
  });

  app.post('/rollbacks/:id/decision', async (c) => {
    const v = c.var.view;
    const user = userOf(c);
    const record = await visibleRollback(deps, c);
    if (!record) return problem(c, 404, v.t('error.notFound'));
    const kind = field(c, 'kind');
    if (kind !== 'approve' && kind !== 'reject') return problem(c, 400, v.t('wizard.pickOne'));
    // Refused here already (the page showed no button); the worker would refuse it again.
    if (!permits(user.principal.roles, kind === 'approve' ? 'rollback.approve' : 'rollback.reject', record.source)) {
      return problem(c, 403, v.t('error.forbidden', { reason: kind === 'approve' ? 'rollback.approve' : 'rollback.reject' }));
    }
    // An approval names the preview its approver saw (the digest the page showed), never "whatever it is now".
    const digest = field(c, 'digest');
    if (!/^[0-9a-f]{64}$/.test(digest)) return problem(c, 400, v.t('error.csrf'));
    const decision = await rollbackHandle(asUser(deps.client, user), record.id, deps.catalog).decide(kind, user.principal.subject, field(c, 'comment'), digest);
    v.session.flash = decision.accepted ? v.t(kind === 'approve' ? 'flash.approved' : 'flash.rejected') : v.t('flash.refused', { reason: decision.reason ?? '' });
    return seeOther(c, `/rollbacks/${record.id}`);
  });
}
