import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type ScheduleSpec, type ScheduleSummary } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { RestorepointError } from '../core/errors';
import { ANY_RESOURCE, type RolesByResource } from '../identity/permissions';
import { serviceRolesFor } from '../identity/service-roles';
import type { RestorepointClient } from './connect';

/** What a restorepoint schedule starts; stored in the schedule's memo, which never changes after creation. */
export type ScheduleKind = 'retention' | 'export' | 'verify' | 'detect';

/** When a schedule fires: a cron expression or a fixed interval (`30m`, `6h`, `1d`), in `timezone` (UTC by default). */
export type ScheduleTiming = { readonly cron: string; readonly timezone?: string } | { readonly every: string };

export interface ScheduleRequest {
  readonly scheduleId: string;
  readonly kind: ScheduleKind;
  readonly timing: ScheduleTiming;
  /** The workflow type the schedule starts, by name: the worker decides what it runs. */
  readonly workflowType: string;
  readonly args: readonly unknown[];
  /** A line for `schedule list` saying what each run does. */
  readonly description: string;
  /** What the runs act on: an export schedule's source; `*` (the default) for verification and retention. */
  readonly resource?: string;
}

export interface ScheduleOutcome {
  readonly scheduleId: string;
  /** False when a schedule with this id existed and was updated in place. */
  readonly created: boolean;
  /** The service identity its runs act as, the roles it holds, and its token's id (`jti`, null when it has none). */
  readonly service: { readonly subject: string; readonly roles: RolesByResource; readonly tokenId: string | null };
}

/**
 * Backups are worth taking late: after a Temporal outage a missed run still starts if it is at
 * most this late. Overlap SKIP means a run due while the previous one still runs is dropped,
 * so catching up never stacks runs.
 */
const CATCHUP_WINDOW = '1 day' as const;

/**
 * Creates the schedule, or updates the one with the same id in place (its timing, action and
 * description), so running the same command twice leaves one schedule. An id already used by
 * a schedule of another kind, or by one restorepoint did not create, is refused.
 */
export async function upsertSchedule(client: RestorepointClient, request: ScheduleRequest): Promise<ScheduleOutcome> {
  const spec = scheduleSpec(request.timing);
  const resource = request.resource ?? ANY_RESOURCE;
  // Least privilege: the runs' identity holds only what this kind of schedule needs (identity/service-roles.ts).
  const roles = serviceRolesFor(request.kind, resource);
  const credential = await client.serviceCredential(request.scheduleId, roles);
  const service = { subject: `schedule:${request.scheduleId}`, roles, tokenId: tokenIdOf(credential.token) };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: request.workflowType,
    // The last argument is the schedule's service credential: each run acts as `schedule:<id>` (encrypted in Temporal by the payload codec).
    args: [...(request.args.length > 0 ? request.args : [{}]), { credential }],
    taskQueue: client.taskQueue,
    // Temporal appends the scheduled time, so each run's workflow id is unique and readable.
    workflowId: request.scheduleId,
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: CATCHUP_WINDOW, pauseOnFailure: false };
  try {
    await withTemporalErrors(() =>
      client.temporal.schedule.create({ scheduleId: request.scheduleId, spec, action, policies, memo: { restorepoint: request.kind, resource }, state: { note: request.description } }),
    );
    return { scheduleId: request.scheduleId, created: true, service };
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
  }
  const handle = client.temporal.schedule.getHandle(request.scheduleId);
  const existing = await withTemporalErrors(() => handle.describe());
  const kind = existing.memo?.restorepoint;
  if (kind !== request.kind) {
    const what = typeof kind === 'string' ? `a ${kind} schedule` : 'a schedule restorepoint did not create';
    throw new RestorepointError('INPUT_INVALID', `schedule id "${request.scheduleId}" is taken by ${what}; pick another --id or delete it first`, { scheduleId: request.scheduleId });
  }
  await withTemporalErrors(() =>
    handle.update((previous) => ({ ...previous, spec, action, policies, state: { ...previous.state, note: request.description } })),
  );
  return { scheduleId: request.scheduleId, created: false, service };
}

/** A token's `jti`, read without verifying it (the worker verifies it at each run): what the ledger names. */
function tokenIdOf(token: string | undefined): string | null {
  if (!token) return null;
  try {
    const { jti } = decodeJwt(token);
    return typeof jti === 'string' ? jti : null;
  } catch {
    return null;
  }
}

/** The resource a restorepoint schedule acts on, from its memo (`*` for schedules made before it was recorded); null when there is none. */
export async function scheduleResource(client: RestorepointClient, scheduleId: string): Promise<string | null> {
  try {
    const memo = (await withTemporalErrors(() => client.temporal.schedule.getHandle(scheduleId).describe())).memo;
    return typeof memo?.resource === 'string' ? memo.resource : ANY_RESOURCE;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return null;
    throw error;
  }
}

/**
 * Creates or updates a schedule through the worker (saveScheduleWorkflow): it authorizes the
 * caller for `schedule.create` on the schedule's resource, issues the service identity's
 * least-privilege token, and records both in the ledger.
 */
export async function saveSchedule(client: RestorepointClient, request: ScheduleRequest): Promise<ScheduleOutcome> {
  return client.temporal.workflow.execute('saveScheduleWorkflow', {
    taskQueue: client.taskQueue,
    workflowId: `schedule-save-${request.scheduleId}-${randomUUID().slice(0, 8)}`,
    args: [request, { credential: await client.credential() }],
  }) as Promise<ScheduleOutcome>;
}

/** Deletes a schedule through the worker (deleteScheduleWorkflow, `schedule.delete` on its resource). False when there was none. */
export async function removeSchedule(client: RestorepointClient, scheduleId: string): Promise<boolean> {
  return client.temporal.workflow.execute('deleteScheduleWorkflow', {
    taskQueue: client.taskQueue,
    workflowId: `schedule-delete-${scheduleId}-${randomUUID().slice(0, 8)}`,
    args: [{ scheduleId }, { credential: await client.credential() }],
  }) as Promise<boolean>;
}

/** A restorepoint schedule as `schedule list` shows it. */
export interface ScheduleListing {
  readonly scheduleId: string;
  readonly kind: ScheduleKind;
  readonly workflowType: string | null;
  readonly description: string;
  readonly paused: boolean;
  readonly nextRunAt: string | null;
  readonly lastRun: { readonly scheduledAt: string; readonly workflowId: string } | null;
}

/** The schedules restorepoint created (their memo says so), by id. Other schedules of the namespace are not shown. */
export async function listSchedules(client: RestorepointClient): Promise<readonly ScheduleListing[]> {
  const found: ScheduleListing[] = [];
  await withTemporalErrors(async () => {
    for await (const summary of client.temporal.schedule.list()) {
      const listing = asListing(summary);
      if (listing) found.push(listing);
    }
  });
  return found.sort((a, b) => (a.scheduleId < b.scheduleId ? -1 : a.scheduleId > b.scheduleId ? 1 : 0));
}

/** One restorepoint schedule as `schedule list` shows it; null when there is none by that id (or it is not ours). */
export async function describeSchedule(client: RestorepointClient, scheduleId: string): Promise<ScheduleListing | null> {
  try {
    return asListing(await withTemporalErrors(() => client.temporal.schedule.getHandle(scheduleId).describe()));
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return null;
    throw error;
  }
}

/**
 * Deletes a restorepoint schedule; runs it already started go on. False when there was none.
 * `beforeDelete` runs once the schedule is known to exist and be ours, just before it goes.
 */
export async function deleteSchedule(client: RestorepointClient, scheduleId: string, { beforeDelete }: { readonly beforeDelete?: () => Promise<unknown> } = {}): Promise<boolean> {
  const handle = client.temporal.schedule.getHandle(scheduleId);
  try {
    const existing = await withTemporalErrors(() => handle.describe());
    if (typeof existing.memo?.restorepoint !== 'string') {
      throw new RestorepointError('INPUT_INVALID', `schedule "${scheduleId}" was not created by restorepoint; delete it with the temporal CLI`, { scheduleId });
    }
    await beforeDelete?.();
    await withTemporalErrors(() => handle.delete());
    return true;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return false;
    throw error;
  }
}

/** Starts one run now, outside the timing (still subject to overlap SKIP). */
export async function triggerSchedule(client: RestorepointClient, scheduleId: string): Promise<void> {
  try {
    await withTemporalErrors(() => client.temporal.schedule.getHandle(scheduleId).trigger());
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) throw new RestorepointError('INPUT_INVALID', `no schedule "${scheduleId}"`, { scheduleId });
    throw error;
  }
}

const INTERVAL = /^[1-9][0-9]*(s|m|h|d)$/;

function scheduleSpec(timing: ScheduleTiming): ScheduleSpec {
  if ('every' in timing) {
    if (!INTERVAL.test(timing.every)) throw new RestorepointError('INPUT_INVALID', `--every "${timing.every}": a whole number with s, m, h or d, for example 30m, 6h or 1d`);
    return { intervals: [{ every: timing.every as `${number}${'s' | 'm' | 'h' | 'd'}` }] };
  }
  if (timing.cron.trim().split(/\s+/).length < 5 && !timing.cron.trim().startsWith('@')) {
    throw new RestorepointError('INPUT_INVALID', `--cron "${timing.cron}": five fields (minute hour day-of-month month day-of-week) or a @-shorthand such as @daily`);
  }
  return { cronExpressions: [timing.cron.trim()], timezone: timing.timezone ?? 'UTC' };
}

/** A schedule's summary (from a list) or description (from describe) carry the same fields we show. */
function asListing(s: Pick<ScheduleSummary, 'scheduleId' | 'action' | 'memo' | 'state' | 'info'>): ScheduleListing | null {
  const kind = s.memo?.restorepoint;
  if (kind !== 'retention' && kind !== 'export' && kind !== 'verify' && kind !== 'detect') return null;
  const last = s.info.recentActions.at(-1);
  return {
    scheduleId: s.scheduleId,
    kind,
    workflowType: s.action?.workflowType ?? null,
    description: s.state.note ?? '',
    paused: s.state.paused,
    nextRunAt: s.info.nextActionTimes[0]?.toISOString() ?? null,
    lastRun: last ? { scheduledAt: last.scheduledAt.toISOString(), workflowId: last.action.workflow.workflowId } : null,
  };
}

/**
 * Temporal refuses a malformed cron expression or time zone as INVALID_ARGUMENT, which the
 * schedule client rethrows as a TypeError (gRPC code 3 where it does not): bad input, not a fault.
 */
async function withTemporalErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const grpc = (error as { code?: unknown; cause?: { code?: unknown } } | null) ?? {};
    if (error instanceof TypeError || grpc.code === 3 || grpc.cause?.code === 3) {
      throw new RestorepointError('INPUT_INVALID', `Temporal refused the schedule: ${(error as Error).message}`);
    }
    throw error;
  }
}
