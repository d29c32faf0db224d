import type { ActivityOptions, LocalActivityOptions, RetryPolicy } from '@temporalio/workflow';
import { NON_RETRYABLE_ERROR_TYPES } from '../core/errors';

const retry: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 10,
  nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
};

/** Catalog and ledger writes: quick, many retries. */
export const shortActivity: ActivityOptions = { startToCloseTimeout: '1 minute', retry };

/**
 * The same steps run as local activities (workflows/short-steps.ts): the same timeout and
 * retries; a retry after a backoff longer than the SDK's local retry threshold waits on a timer.
 */
export const shortLocalActivity: LocalActivityOptions = { startToCloseTimeout: '1 minute', retry };

/**
 * Data movement: hours allowed, but a worker that dies is noticed within the heartbeat
 * timeout and the retry resumes from the last heartbeat's checkpoint.
 */
export const dataActivity: ActivityOptions = { startToCloseTimeout: '24 hours', heartbeatTimeout: '20 seconds', retry };
