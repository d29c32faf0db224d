import { z } from 'zod';

/**
 * What an alert is about. Accidents come from the change trail (docs/observability.md,
 * "Accident detection"); `rollback-burst` (rollbacks and reverts in quick succession) and the
 * `slo-*` service objectives from the catalog, unresolved while the condition lasts.
 */
export const ALERT_KINDS = ['mass-delete', 'mass-update', 'truncate', 'rollback-burst', 'slo-rpo', 'slo-verification', 'slo-export-failures', 'slo-trail-seal'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export const ALERT_STATUSES = ['open', 'acked', 'cleared'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/**
 * The figures behind an alert: counts only, never a row value. An accident carries its window's
 * count, the table's estimated rows and the learned baseline; an objective its measured value
 * against its target.
 */
export interface AlertCounts {
  readonly changes?: number;
  readonly tableRows?: number;
  readonly baselineMedian?: number;
  readonly baselineMad?: number;
  readonly limit?: number;
  /** Changes per actor in the window, the largest first (at most five). */
  readonly actors?: Readonly<Record<string, number>>;
  readonly value?: number;
  readonly target?: number;
}

/** An alert as the catalog holds it and `alerts list` shows it. */
export interface Alert {
  readonly id: string;
  readonly key: string;
  readonly kind: AlertKind;
  readonly source: string;
  readonly table: string | null;
  readonly operation: string | null;
  readonly actor: string | null;
  readonly windowStart: Date;
  readonly windowEnd: Date;
  readonly counts: AlertCounts;
  readonly summary: string;
  /** A prepared command that turns the alert into a rollback preview awaiting approval; never started by itself. */
  readonly proposal: string | null;
  readonly status: AlertStatus;
  readonly raisedAt: Date;
  readonly ackedAt: Date | null;
  readonly ackedBy: string | null;
  readonly clearedAt: Date | null;
}

/** What `alerts ack` asks the worker to do (the caller's credential travels beside it). */
export const ackAlertInputSchema = z.strictObject({
  alertId: z.string().min(1).max(200),
  /** The alert's source, which the caller's roles are checked on; the activity refuses a mismatch. */
  source: z.string().min(1),
  comment: z.string().max(2000).default(''),
});
export type AckAlertInput = z.infer<typeof ackAlertInputSchema>;
export type AckAlertRequest = z.input<typeof ackAlertInputSchema>;

/** The periodic watch's input: which sources to watch (default every configured one). */
export const alertWatchInputSchema = z.strictObject({ sources: z.array(z.string().min(1)).optional() });
export type AlertWatchRequest = z.input<typeof alertWatchInputSchema>;

/** Workflow ids of acknowledgements: one per alert, so a repeated ack finds the first. */
export const ackAlertWorkflowId = (alertId: string, suffix: string) => `alert-ack-${alertId}-${suffix}`;
