import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pickExportsToVerify, type VerificationCandidate } from '../../core/verification/pick-exports';

const at = (day: number) => new Date(Date.UTC(2026, 10, day)).toISOString();
const candidate = (exportId: string, changed: number, passed: [number, 'checksums' | 'decode' | 'restore'] | null, status: VerificationCandidate['verificationStatus'] = passed ? 'verified' : 'unverified'): VerificationCandidate => ({
  exportId,
  verificationStatus: status,
  changedAt: at(changed),
  lastPassed: passed ? { at: at(passed[0]), level: passed[1] } : null,
});

describe('the scheduled verification picks due exports, then samples the least recently verified', () => {
  const history = [
    candidate('never', 5, null),
    candidate('shallow', 3, [4, 'checksums']),
    candidate('changed-after', 6, [4, 'decode']),
    candidate('old-verified', 1, [2, 'restore']),
    candidate('recent-verified', 1, [9, 'decode']),
    candidate('mid-verified', 1, [7, 'decode']),
    candidate('corrupt', 1, null, 'corrupt'),
  ];

  it('due: never verified, verified only at a shallower level, or changed since; oldest change first', () => {
    assert.deepEqual(pickExportsToVerify(history, 'decode', 0).due, ['shallow', 'never', 'changed-after']);
  });

  it('sample: already verified ones, least recently verified first, as many as asked', () => {
    assert.deepEqual(pickExportsToVerify(history, 'decode', 2).sample, ['old-verified', 'mid-verified']);
    assert.deepEqual(pickExportsToVerify(history, 'decode', 0).sample, []);
  });

  it('a deeper level counts for a shallower one, not the other way round', () => {
    assert.ok(pickExportsToVerify(history, 'checksums', 0).due.every((id) => id !== 'shallow'));
    assert.ok(pickExportsToVerify(history, 'restore', 0).due.includes('mid-verified'));
  });

  it('a corrupt export is never picked: it has raised its alert and is re-verified on request', () => {
    for (const level of ['checksums', 'decode', 'restore'] as const) {
      const pick = pickExportsToVerify(history, level, 100);
      assert.ok(![...pick.due, ...pick.sample].includes('corrupt'));
    }
  });
});
