import { ApplicationFailure } from '@temporalio/common';
import { isRestorepointError } from '../core/errors';
import { redactSecrets } from '../core/redact';

/**
 * Temporal names a thrown error's failure type after its class (`RestorepointError`), so
 * without this every code would look alike to the retry policy: CHECKSUM_MISMATCH would be
 * retried ten times and clients could not tell MANIFEST_TAMPERED from OBJECT_MISSING. Each
 * activity's RestorepointError leaves as an ApplicationFailure whose type is its code,
 * non-retryable exactly when the catalogue says so, with its details attached.
 */
export function withTypedFailures<Activities extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: Activities): Activities {
  const wrapped: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args) => {
      try {
        return await activity(...args);
      } catch (error) {
        if (!isRestorepointError(error)) throw withoutSecrets(error);
        throw ApplicationFailure.create({ message: error.message, type: error.code, nonRetryable: !error.retryable, details: [error.details] });
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
