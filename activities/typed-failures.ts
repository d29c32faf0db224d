import { ApplicationFailure } from '@temporalio/common';
import { classifyFailure } from '../core/errors';
import { redactSecrets } from '../core/redact';

/**
 * Every activity's failure leaves through here, typed by the catalogue's one classification
 * point (`classifyFailure`): a RestorepointError as it is, a PostgreSQL error by its
 * SQLSTATE. Temporal would otherwise name the failure type after the error's class
 * (`RestorepointError`, `DatabaseError`), so every code would look alike to the retry
 * policy: a missing schema would be retried for minutes and CHECKSUM_MISMATCH ten times.
 * Each typed error becomes an ApplicationFailure whose type is its code, non-retryable
 * exactly when the catalogue says so, with its details attached. Errors nothing is known
 * about (a dropped socket without a SQLSTATE) stay as they are, and are retried.
 */
export function withTypedFailures<Activities extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: Activities): Activities {
  const wrapped: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args) => {
      try {
        return await activity(...args);
      } catch (error) {
        if (error instanceof ApplicationFailure) throw withoutSecrets(error);
        const typed = classifyFailure(error);
        if (typed === null) throw withoutSecrets(error);
        throw ApplicationFailure.create({ message: redactSecrets(typed.message), type: typed.code, nonRetryable: !typed.retryable, details: [typed.details] });
      }
    };
  }
  return wrapped as Activities;
}

/** Any other error keeps its class, code and retryability, with connection passwords taken out of its message. */
function withoutSecrets(error: unknown): unknown {
  if (error instanceof Error) error.message = redactSecrets(error.message);
  return error;
}
