import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRestorepointError } from '../../core/errors';
import { planRetention } from '../../core/retention';
import { full, policy } from './examples';

const inputInvalid = (err: unknown): boolean => isRestorepointError(err) && err.code === 'INPUT_INVALID';

describe('planning refuses input it cannot read unambiguously', () => {
  it('an export id listed twice', () => {
    assert.throws(() => planRetention([full('x', '2026-01-01T00:00:00Z'), full('x', '2026-01-02T00:00:00Z')], policy(), new Date()), inputInvalid);
  });

  it('an unreadable creation time', () => {
    assert.throws(() => planRetention([full('x', 'yesterday')], policy(), new Date()), inputInvalid);
  });

  it('an invalid planning time', () => {
    assert.throws(() => planRetention([], policy(), new Date(Number.NaN)), inputInvalid);
  });
});
