import type { Hono } from 'hono';
import { html } from 'hono/html';
import { startRollback } from '../../client/rollbacks';
import { newSchemaNameSchema } from '../../core/new-schema-name';
import { startReconstruct } from '../../client/point-in-time';
import { startRestore } from '../../client/restores';
import { getExport } from '../../catalog/exports-repo';
import { sourceNameSchema } from '../../core/source-name';
import { permits } from '../../identity/permissions';
import { readTrail } from '../trail-view';
import { coverageSection, isIsoTime, revertFields } from './wizard-trail';
import { csrfField, dataTable, page, type Html, type View } from '../layout';
import { restorePoints, sourcesPermitting, tablesOf } from '../data';
import { asUser, field, fields, problem, seeOther, userOf, type ConsoleContext, type ConsoleDeps, type ConsoleEnv } from '../context';
import type { MessageKey } from '../messages';
import type { WizardDraft } from '../sessions';
import { kindText, verificationCell } from './dashboard';

const STEPS = [
  { path: '/recover/source', name: 'wizard.source' },
  { path: '/recover/point', name: 'wizard.point' },
  { path: '/recover/scope', name: 'wizard.scope' },
  { path: '/recover/target', name: 'wizard.target' },
  { path: '/recover/request', name: 'wizard.request' },
] as const satisfies readonly { path: string; name: MessageKey }[];

/** One wizard step: its form (posting to itself), Back to the step before, and a way out that discards the draft. */
function step(c: ConsoleContext, index: number, content: Html, error?: string, status: 200 | 400 = 200, submit?: string): Response | Promise<Response> {
  const v = c.var.view;
  const current = STEPS[index]!;
  const body = html`<p>${v.t('wizard.step', { n: index + 1, name: v.t(current.name) })}</p>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="${current.path}">${csrfField(v)}
${content}
<button type="submit">${submit ?? (index === STEPS.length - 1 ? v.t('wizard.submit') : v.t('wizard.next'))}</button>
</form>
${index > 0 ? html`<p><a href="${STEPS[index - 1]!.path}">${v.t('wizard.back')}</a></p>` : ''}
<form method="post" action="/recover/cancel">${csrfField(v)}<button type="submit">${v.t('wizard.cancel')}</button></form>`;
  return c.html(page(v, `${v.t('wizard.title')}: ${v.t(current.name)}`, body), status);
}

/** The draft if it has come as far as `needs`; otherwise where the wizard must start again. */
function draftUpTo(c: ConsoleContext, needs: readonly (keyof WizardDraft)[]): WizardDraft | Response {
  const draft = c.var.view.session.draft;
  const missing = needs.findIndex((key) => draft[key] === undefined);
  return missing < 0 ? draft : seeOther(c, STEPS[Math.min(missing, STEPS.length - 1)]!.path);
}

/** The point step's choice meaning "a point in time" (no export id looks like it). */
const AT = '@at';

const radio = (name: string, id: string, value: string, label: string | Html, checked: boolean): Html =>
  html`<label for="${id}"><input type="radio" id="${id}" name="${name}" value="${value}"${checked ? html` checked` : ''}>${label}</label>`;

function summary(v: View, d: WizardDraft): Html {
  return html`<h2>${v.t('wizard.summary')}</h2><dl>
<dt>${v.t('dashboard.source')}</dt><dd>${d.source}</dd>
${d.revert
  ? html`<dt>${v.t('wizard.scope')}</dt><dd>${v.t('wizard.revertSummary', { actor: d.revert.actor, from: d.revert.from ?? '…', until: d.revert.until ?? '…' })}</dd>`
  : html`<dt>${v.t('col.export')}</dt><dd>${d.at ? v.t('wizard.atTarget', { at: d.at }) : d.exportId}</dd>`}
<dt>${v.t('col.tables')}</dt><dd>${(d.tables ?? []).length ? (d.tables ?? []).join(', ') : v.t('wizard.revertAllTables')}</dd>
${Object.entries(d.where ?? {}).map(([table, predicate]) => html`<dt>${table}</dt><dd>${v.t('rollback.scopeWhere', { table, predicate })}</dd>`)}
${d.keys && Object.keys(d.keys).length ? html`<dt>${v.t('col.key')}</dt><dd><code>${JSON.stringify(d.keys)}</code></dd>` : ''}
<dt>${v.t('wizard.target')}</dt><dd>${v.t(`mode.${d.mode ?? 'in-place'}` as MessageKey)}${d.sideBySideSchema ? ` (${d.sideBySideSchema})` : ''}${d.scratchTarget ? ` (${d.scratchTarget})` : ''}</dd>
</dl>`;
}

type Keys = NonNullable<WizardDraft['keys']>;

function parseKeys(text: string): Keys | null {
  if (!text.trim()) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    const scalar = (x: unknown) => ['string', 'number', 'boolean'].includes(typeof x);
    const ok = Object.values(parsed).every((rows) => Array.isArray(rows) && rows.length > 0 && rows.every((r) => r && typeof r === 'object' && !Array.isArray(r) && Object.values(r).every(scalar)));
    return ok ? (parsed as Keys) : null;
  } catch {
    return null;
  }
}

/**
 * The recovery wizard: source → restore point → what → where → reason, each step a form whose
 * answer is kept in the session (never in a URL). The last step starts the rollback with the
 * user's token; the worker prepares the preview that the requester and approvers then see.
 */
export function registerWizard(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  const startable = (c: ConsoleContext) => sourcesPermitting(deps.config, userOf(c).principal, 'rollback.start');

  const sourceStep = (c: ConsoleContext, error?: string) => {
    const v = c.var.view;
    const sources = startable(c);
    if (sources.length === 0) return problem(c, 403, v.t('error.forbidden', { reason: 'rollback.start' }));
    return step(c, 0, html`<fieldset><legend>${v.t('wizard.sourceLegend')}</legend>${sources.map((s, i) => radio('source', `source-${i}`, s, s, v.session.draft.source === s))}</fieldset>`, error, error ? 400 : 200);
  };
  app.get('/recover/source', (c) => sourceStep(c));
  app.post('/recover/source', (c) => {
    const source = field(c, 'source');
    if (!startable(c).includes(source)) return sourceStep(c, c.var.view.t('wizard.pickOne'));
    c.var.view.session.draft = { source };
    return seeOther(c, '/recover/point');
  });

  const pointStep = async (c: ConsoleContext, draft: WizardDraft, error?: string) => {
    const v = c.var.view;
    const points = await restorePoints(deps.catalog, draft.source!);
    const rows = points.map((p, i) => [
      p.selectable ? radio('exportId', `point-${i}`, p.record.id, p.record.id, draft.at === undefined && draft.exportId === p.record.id) : html`${p.record.id} (${v.t('wizard.notSelectable')})`,
      kindText(p, v),
      p.record.status,
      verificationCell(p, v),
      p.record.legalHold ? v.t('hold.yes') : v.t('hold.no'),
      p.record.tablesCount ?? '',
      p.record.createdAt.toISOString(),
    ]);
    const trail = await readTrail(deps.config, deps.catalog, draft.source!);
    const content = points.length
      ? html`<fieldset><legend>${v.t('wizard.pointLegend', { source: draft.source! })}</legend><p>${v.t('wizard.pointHelp')}</p>
${dataTable(v.t('wizard.pointLegend', { source: draft.source! }), [v.t('col.export'), v.t('col.kind'), v.t('col.status'), v.t('col.verification'), v.t('col.hold'), v.t('col.tables'), v.t('col.created')], rows)}
${coverageSection(trail, v)}
${points.some((p) => p.selectable)
  ? html`${radio('exportId', 'point-at', AT, v.t('wizard.atChoice'), draft.at !== undefined)}
<label for="at">${v.t('wizard.at')}</label>
<input type="text" id="at" name="at" value="${draft.at ?? ''}" autocomplete="off">`
  : ''}</fieldset>`
      : html`<p>${v.t('wizard.pointNone')}</p>`;
    return step(c, 1, content, error, error ? 400 : 200);
  };
  app.get('/recover/point', async (c) => {
    const draft = draftUpTo(c, ['source']);
    return draft instanceof Response ? draft : pointStep(c, draft);
  });
  app.post('/recover/point', async (c) => {
    const draft = draftUpTo(c, ['source']);
    if (draft instanceof Response) return draft;
    const exportId = field(c, 'exportId');
    const points = (await restorePoints(deps.catalog, draft.source!)).filter((p) => p.selectable);
    if (exportId === AT) {
      const at = field(c, 'at').trim();
      // The rollback input's own check runs again in startRollback; here it keeps the wizard on this step.
      if (!isIsoTime(at)) return pointStep(c, draft, c.var.view.t('wizard.needAt'));
      // Its tables are offered from the newest whole export taken before that time (the one it most likely resolves to).
      const base = points.find((p) => p.record.createdAt.getTime() <= Date.parse(at)) ?? points[points.length - 1];
      if (!base) return pointStep(c, draft, c.var.view.t('wizard.pickOne'));
      c.var.view.session.draft = { source: draft.source, exportId: base.record.id, at };
      return seeOther(c, '/recover/scope');
    }
    if (!points.some((p) => p.record.id === exportId)) return pointStep(c, draft, c.var.view.t('wizard.pickOne'));
    c.var.view.session.draft = { source: draft.source, exportId };
    return seeOther(c, '/recover/scope');
  });

  const scopeStep = async (c: ConsoleContext, draft: WizardDraft, error?: string) => {
    const v = c.var.view;
    const tables = await tablesOf(deps.catalog, draft.exportId!);
    const trail = await readTrail(deps.config, deps.catalog, draft.source!);
    const what = draft.revert ? 'actor' : 'tables';
    const content = html`<fieldset><legend>${v.t('wizard.whatLegend')}</legend>
${radio('what', 'what-tables', 'tables', v.t('wizard.whatTables'), what === 'tables')}
${trail.state === 'tracked' ? radio('what', 'what-actor', 'actor', v.t('wizard.whatActor'), what === 'actor') : html`<p>${v.t('wizard.revertNeedsTrail')}</p>`}
</fieldset>
<fieldset><legend>${v.t('wizard.tablesLegend', { exportId: draft.exportId! })}</legend>
${tables.map(
  (t, i) => html`<div>
<label for="table-${i}"><input type="checkbox" id="table-${i}" name="tables" value="${t}"${draft.tables?.includes(t) ? html` checked` : ''}>${t}</label>
<label for="where-${i}">${t}: ${v.t('wizard.where')}</label>
<input type="text" id="where-${i}" name="where:${t}" value="${draft.where?.[t] ?? ''}" autocomplete="off">
</div>`,
)}
</fieldset>
<label for="keys">${v.t('wizard.keys')}</label>
<textarea id="keys" name="keys" rows="3" autocomplete="off">${draft.keys && Object.keys(draft.keys).length ? JSON.stringify(draft.keys) : ''}</textarea>
${trail.state === 'tracked' ? revertFields(v, draft, trail.actors) : ''}`;
    return step(c, 2, content, error, error ? 400 : 200);
  };
  app.get('/recover/scope', async (c) => {
    const draft = draftUpTo(c, ['source', 'exportId']);
    return draft instanceof Response ? draft : scopeStep(c, draft);
  });
  app.post('/recover/scope', async (c) => {
    const draft = draftUpTo(c, ['source', 'exportId']);
    if (draft instanceof Response) return draft;
    const v = c.var.view;
    const known = await tablesOf(deps.catalog, draft.exportId!);
    const tables = fields(c, 'tables').filter((t) => known.includes(t));
    const keys = parseKeys(field(c, 'keys'));
    if (!keys) return scopeStep(c, { ...draft, tables }, v.t('wizard.badKeys'));
    const where = Object.fromEntries(tables.map((t) => [t, field(c, `where:${t}`).trim()]).filter(([, predicate]) => predicate));
    const kept = { source: draft.source, exportId: draft.exportId, ...(draft.at ? { at: draft.at } : {}) };
    if (field(c, 'what') === 'actor') {
      const revert = { actor: field(c, 'actor').trim(), from: field(c, 'from').trim() || undefined, until: field(c, 'until').trim() || undefined };
      // Only the form is checked here; the trail's selection rules run in startRollback and the worker.
      if (!revert.actor) return scopeStep(c, { ...draft, tables, revert }, v.t('wizard.needActor'));
      if (![revert.from, revert.until].every((t) => t === undefined || isIsoTime(t))) return scopeStep(c, { ...draft, tables, revert }, v.t('wizard.needAt'));
      if (Object.keys(where).length > 0 || Object.keys(keys).length > 0) return scopeStep(c, { ...draft, tables, revert }, v.t('wizard.revertNoRows'));
      c.var.view.session.draft = { ...kept, tables, revert, mode: 'in-place' };
      return seeOther(c, '/recover/target');
    }
    if (tables.length === 0) return scopeStep(c, draft, v.t('wizard.pickTables'));
    c.var.view.session.draft = { ...kept, tables, where, keys };
    return seeOther(c, '/recover/target');
  });

  /** Where a revert's safety snapshot goes: beside the restore point chosen (its destination). */
  const snapshotDestination = async (draft: WizardDraft) => (await getExport(deps.catalog, draft.exportId!))?.destination;

  const targetStep = async (c: ConsoleContext, draft: WizardDraft, error?: string) => {
    const v = c.var.view;
    const mode = draft.mode ?? 'in-place';
    // A revert runs in place only (the rollback input's rule): its safety snapshot is the way back.
    const content = draft.revert
      ? html`<fieldset><legend>${v.t('wizard.targetLegend')}</legend>
${radio('mode', 'mode-in-place', 'in-place', v.t('wizard.inPlace'), true)}
<p>${v.t('wizard.revertInPlaceOnly', { destination: (await snapshotDestination(draft)) ?? '' })}</p>
</fieldset>`
      : html`<fieldset><legend>${v.t('wizard.targetLegend')}</legend>
${radio('mode', 'mode-in-place', 'in-place', v.t('wizard.inPlace'), mode === 'in-place')}
${radio('mode', 'mode-side-by-side', 'side-by-side', v.t('wizard.sideBySide'), mode === 'side-by-side')}
<label for="schema">${v.t('wizard.schema')}</label>
<input type="text" id="schema" name="schema" value="${draft.sideBySideSchema ?? ''}" autocomplete="off">
${radio('mode', 'mode-scratch-database', 'scratch-database', v.t('wizard.scratch'), mode === 'scratch-database')}
<label for="scratch-target">${v.t('wizard.scratchTarget')}</label>
<input type="text" id="scratch-target" name="scratchTarget" value="${draft.scratchTarget ?? ''}" autocomplete="off">
</fieldset>`;
    return step(c, 3, content, error, error ? 400 : 200);
  };
  app.get('/recover/target', (c) => {
    const draft = draftUpTo(c, ['source', 'exportId', 'tables']);
    return draft instanceof Response ? draft : targetStep(c, draft);
  });
  app.post('/recover/target', async (c) => {
    const draft = draftUpTo(c, ['source', 'exportId', 'tables']);
    if (draft instanceof Response) return draft;
    const v = c.var.view;
    const mode = field(c, 'mode');
    if (mode !== 'in-place' && mode !== 'side-by-side' && mode !== 'scratch-database') return targetStep(c, draft, v.t('wizard.pickOne'));
    if (draft.revert && mode !== 'in-place') return targetStep(c, draft, v.t('wizard.pickOne'));
    // Not trimmed: a schema name may hold spaces, and the rollback input's own rule decides (any name up to 63 bytes).
    const schema = field(c, 'schema');
    if (mode === 'side-by-side' && !newSchemaNameSchema.safeParse(schema).success) return targetStep(c, { ...draft, mode }, v.t('wizard.needSchema'));
    const scratchTarget = field(c, 'scratchTarget').trim();
    if (mode === 'scratch-database') {
      if (!sourceNameSchema.safeParse(scratchTarget).success) return targetStep(c, { ...draft, mode }, v.t('wizard.needScratchTarget'));
      // A restore takes whole tables: a row condition or keys would be silently dropped.
      if (Object.keys(draft.where ?? {}).length > 0 || Object.keys(draft.keys ?? {}).length > 0) return targetStep(c, { ...draft, mode, scratchTarget }, v.t('wizard.scratchWholeTables'));
      // Shown here already; the worker checks `restore` on the target again.
      if (!permits(userOf(c).principal.roles, 'restore', scratchTarget)) return targetStep(c, { ...draft, mode, scratchTarget }, v.t('error.forbidden', { reason: `restore on ${scratchTarget}` }));
    }
    const { sideBySideSchema: _schema, scratchTarget: _target, ...rest } = draft;
    c.var.view.session.draft = { ...rest, mode, ...(mode === 'side-by-side' ? { sideBySideSchema: schema } : {}), ...(mode === 'scratch-database' ? { scratchTarget } : {}) };
    return seeOther(c, '/recover/request');
  });

  const requestStep = (c: ConsoleContext, draft: WizardDraft, error?: string) => {
    const v = c.var.view;
    // A restore into a scratch database changes no live data: no approval, and its input has no reason to record.
    const content =
      draft.mode === 'scratch-database'
        ? html`${summary(v, draft)}<p>${v.t('wizard.scratchHelp')}</p>`
        : html`${summary(v, draft)}<p>${v.t('wizard.requestHelp')}</p>
<label for="reason">${v.t('wizard.reason')}</label>
<textarea id="reason" name="reason" rows="3" required></textarea>`;
    return step(c, 4, content, error, error ? 400 : 200, draft.mode === 'scratch-database' ? v.t('wizard.scratchSubmit') : undefined);
  };
  app.get('/recover/request', (c) => {
    const draft = draftUpTo(c, ['source', 'exportId', 'tables', 'mode']);
    return draft instanceof Response ? draft : requestStep(c, draft);
  });
  app.post('/recover/request', async (c) => {
    const draft = draftUpTo(c, ['source', 'exportId', 'tables', 'mode']);
    if (draft instanceof Response) return draft;
    const user = userOf(c);
    const client = asUser(deps.client, user);
    if (draft.mode === 'scratch-database') {
      // The same calls as `restore --target` and `reconstruct --target`: authorized by the worker on the target.
      const common = { target: draft.scratchTarget!, tables: [...draft.tables!], requestedBy: user.principal.subject };
      const started = draft.at
        ? { kind: 'reconstruct', id: (await startReconstruct(client, { ...common, source: draft.source!, at: draft.at })).reconstructionId }
        : { kind: 'restore', id: (await startRestore(client, { ...common, exportId: draft.exportId! })).restoreId };
      c.var.view.session.draft = {};
      return seeOther(c, `/scratch/${started.kind}/${started.id}`);
    }
    const reason = field(c, 'reason').trim();
    if (!reason) return requestStep(c, draft, c.var.view.t('wizard.needReason'));
    const request = { source: draft.source!, requestedBy: user.principal.subject, reason };
    // The same calls as `revert` and `rollback start`: validated by the client library, authorized again by the worker.
    const handle = draft.revert
      ? await startRollback(client, {
          ...request,
          target: { trail: { actor: draft.revert.actor, from: draft.revert.from, until: draft.revert.until, tables: draft.tables!.length ? [...draft.tables!] : undefined } },
          snapshotDestination: await snapshotDestination(draft),
        })
      : await startRollback(client, {
          ...request,
          target: draft.at ? { at: draft.at } : { exportId: draft.exportId! },
          tables: [...draft.tables!],
          keys: draft.keys as Record<string, Record<string, string | number | boolean>[]>,
          where: { ...draft.where },
          mode: draft.mode === 'side-by-side' ? 'side-by-side' : 'in-place',
          sideBySideSchema: draft.sideBySideSchema,
        });
    c.var.view.session.draft = {};
    return seeOther(c, `/rollbacks/${handle.rollbackId}`);
  });

  app.post('/recover/cancel', (c) => {
    c.var.view.session.draft = {};
    return seeOther(c, '/dashboard');
  });
}
