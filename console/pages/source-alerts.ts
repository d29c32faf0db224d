import type { Hono } from 'hono';
import { html } from 'hono/html';
import { getAlert } from '../../catalog/alerts-repo';
import { acknowledgeAlert } from '../../client/alerts';
import type { Alert } from '../../core/alerts/alert';
import { isRestorepointError } from '../../core/errors';
import { permits } from '../../identity/permissions';
import type { Principal } from '../../identity/principal';
import { asUser, field, problem, seeOther, userOf, type ConsoleDeps, type ConsoleEnv } from '../context';
import { sourcesPermitting } from '../data';
import { csrfField, type Html, type View } from '../layout';
import type { MessageKey } from '../messages';

/** One raised alert on a source's page; an open one with an Acknowledge form for whoever holds `alert.ack` there. */
export function raisedAlertItem(alert: Alert, v: View, principal: Principal): Html {
  const mayAck = alert.status === 'open' && permits(principal.roles, 'alert.ack', alert.source);
  return html`<li>${v.t('source.raisedAlert', { summary: alert.summary, status: v.t(`alertStatus.${alert.status}` as MessageKey), raisedAt: alert.raisedAt.toISOString() })}${alert.proposal
    ? html`<br />${v.t('source.alertProposal')} <code>${alert.proposal}</code>`
    : ''}${mayAck
    ? html`<form method="post" action="/sources/${alert.source}/alerts/${alert.id}/ack">${csrfField(v)}<label for="ack-${alert.id}">${v.t('source.ackComment')}</label>
<input id="ack-${alert.id}" name="comment" maxlength="500"> <button type="submit" aria-describedby="alert-${alert.id}">${v.t('source.ack')}</button><span id="alert-${alert.id}" hidden>${alert.summary}</span></form>`
    : ''}</li>`;
}

/**
 * The typed error under a failed workflow (WorkflowFailedError → ActivityFailure →
 * ApplicationFailure whose `type` is our code), or a RestorepointError thrown here; null for any
 * other fault, which the console's error page handles.
 */
function typedRefusal(error: unknown): { readonly code: string; readonly message: string } | null {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  if (isRestorepointError(current)) return { code: current.code, message: current.message };
  const type = (current as { type?: unknown } | null)?.type;
  return current instanceof Error && typeof type === 'string' && /^[A-Z_]+$/.test(type) ? { code: type, message: current.message } : null;
}

/** Acknowledging an alert: the same call as `restorepoint alerts ack`, a workflow whose worker checks `alert.ack` again. */
export function registerAlertAck(app: Hono<ConsoleEnv>, deps: ConsoleDeps): void {
  app.post('/sources/:source/alerts/:id/ack', async (c) => {
    const v = c.var.view;
    const user = userOf(c);
    const source = c.req.param('source');
    if (!sourcesPermitting(deps.config, user.principal, 'catalog.read').includes(source)) return problem(c, 404, v.t('error.notFound'));
    const alert = await getAlert(deps.catalog, c.req.param('id'));
    if (!alert || alert.source !== source) return problem(c, 404, v.t('error.notFound'));
    // Refused here already (the page showed no button); the worker checks the same permission again.
    if (!permits(user.principal.roles, 'alert.ack', source)) return problem(c, 403, v.t('error.forbidden', { reason: 'alert.ack' }));
    try {
      await acknowledgeAlert(asUser(deps.client, user), deps.catalog, { alertId: alert.id, comment: field(c, 'comment').slice(0, 500) });
      v.session.flash = v.t('flash.acked');
    } catch (error) {
      const refusal = typedRefusal(error);
      if (!refusal) throw error;
      if (refusal.code === 'PERMISSION_DENIED' || refusal.code === 'AUTH_INVALID') return problem(c, 403, v.t('error.forbidden', { reason: refusal.message }));
      v.session.flash = v.t('flash.ackRefused', { reason: `${refusal.code}: ${refusal.message}` });
    }
    return seeOther(c, `/sources/${source}`);
  });
}
