import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ALERT_KINDS } from '../../core/alerts/alert';

describe('the Prometheus rules name every alert kind the worker raises', () => {
  it('turns each kind of unresolved alert into a Prometheus alert, and the docs list each kind', () => {
    const rules = fs.readFileSync(path.join(__dirname, '../../docs/prometheus/restorepoint-alerts.yml'), 'utf8');
    const selectors = [...rules.matchAll(/restorepoint_alerts_open\{kind=~"([^"]+)"\}/g)].flatMap((m) => m[1]!.split('|'));
    assert.deepEqual([...selectors].sort(), [...ALERT_KINDS].sort());
    const doc = fs.readFileSync(path.join(__dirname, '../../docs/observability.md'), 'utf8');
    for (const kind of ALERT_KINDS) assert.ok(doc.includes(`\`${kind}\``), `docs/observability.md names ${kind}`);
  });
});
