import { html } from 'hono/html';
import { dataTable, type Html, type View } from '../layout';
import type { WizardDraft } from '../sessions';
import type { TrailView } from '../trail-view';
import { trailStateText } from './dashboard';

/** An ISO 8601 time with an offset, as the rollback input requires (it checks again). */
export const isIsoTime = (text: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) && !Number.isNaN(Date.parse(text));

/** One actor's changes: who, and the window of their changes (the checked tables, if any, narrow it). */
export function revertFields(v: View, d: WizardDraft, actors: readonly string[]): Html {
  return html`<fieldset><legend>${v.t('wizard.revertLegend')}</legend><p>${v.t('wizard.revertHelp')}</p>
<label for="actor">${v.t('wizard.actor')}</label>
<input type="text" id="actor" name="actor" list="actors" value="${d.revert?.actor ?? ''}" autocomplete="off">
<datalist id="actors">${actors.map((a) => html`<option value="${a}"></option>`)}</datalist>
<label for="from">${v.t('wizard.revertFrom')}</label>
<input type="text" id="from" name="from" value="${d.revert?.from ?? ''}" autocomplete="off">
<label for="until">${v.t('wizard.revertUntil')}</label>
<input type="text" id="until" name="until" value="${d.revert?.until ?? ''}" autocomplete="off">
</fieldset>`;
}

/** Where the change trail makes a point in time possible, next to the restore points. */
export function coverageSection(trail: TrailView, v: View): Html {
  if (trail.state !== 'tracked') return html`<p>${trailStateText(trail, v)}</p>`;
  const caption = v.t('wizard.coverage');
  return trail.coverage.length
    ? dataTable(caption, [v.t('col.from'), v.t('col.to'), v.t('col.tables')], trail.coverage.map((span) => [span.from.toISOString(), span.to ? span.to.toISOString() : v.t('wizard.coverageNow'), trail.tables.join(', ')]))
    : html`<p>${v.t('wizard.coverageNone', { tables: trail.tables.join(', ') })}</p>`;
}
