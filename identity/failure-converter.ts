import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Temporal's own failure converter, told to move each failure's message and stack trace out of
 * the plain failure fields into an encoded payload, which the payload codec then encrypts like
 * any other. A failure's message can quote a row value (PostgreSQL's "invalid input syntax for
 * type integer: ..." or "Key (email)=(...) already exists"), and histories must not hold row
 * values in clear. Loaded by path (Temporal's `failureConverterPath`): into the workflow bundle
 * for workflow code, and by the worker and the client for activities and results. Decoding
 * reads both forms, so histories written before this still replay.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
