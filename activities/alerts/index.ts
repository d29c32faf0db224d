import { ackAlert, undeliveredAlerts } from '../../catalog/alerts-repo';
import { ackAlertInputSchema, type AckAlertInput } from '../../core/alerts/alert';
import type { ActivityDeps } from '../deps';
import { checkObjectives } from './check-objectives';
import { deliverAlert } from './deliver-alert';
import { detectAccidents } from './detect-accidents';

export type { RaisedAlert } from './detect-accidents';
export type { ObjectivesOutcome } from './check-objectives';

/** Accident detection, service objectives and alert delivery (docs/observability.md). */
export function createAlertActivities(deps: ActivityDeps) {
  return {
    /** The sources a watch without a list covers: every configured one. */
    async alertSources(): Promise<readonly string[]> {
      return Object.keys(deps.config.sources).sort();
    },
    detectAccidents: (request: { readonly source: string; readonly actor: string }) => detectAccidents(deps, request),
    checkObjectives: (request: { readonly source: string; readonly actor: string }) => checkObjectives(deps, request),
    async undeliveredAlerts(request: { readonly source: string }): Promise<readonly string[]> {
      return undeliveredAlerts(deps.catalog, request.source);
    },
    deliverAlert: (request: { readonly alertId: string }) => deliverAlert(deps, request),
    /** Acknowledges an alert for the caller the workflow authorized; see catalog/alerts-repo.ts. */
    async ackAlert(request: AckAlertInput & { readonly actor: string }): Promise<{ readonly changed: boolean; readonly alertId: string; readonly status: string; readonly ackedBy: string | null }> {
      const input = ackAlertInputSchema.parse({ alertId: request.alertId, source: request.source, comment: request.comment });
      const { changed, alert } = await ackAlert(deps.catalog, { ...input, actor: request.actor });
      return { changed, alertId: alert.id, status: alert.status, ackedBy: alert.ackedBy };
    },
  };
}
