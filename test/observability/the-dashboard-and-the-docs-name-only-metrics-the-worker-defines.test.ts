import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createMetrics } from '../../observability/metrics';

const DOCS = path.join(__dirname, '../../docs');

describe('the dashboard and the docs name only metrics the worker defines', () => {
  const defined = new Set(
    createMetrics()
      .registry.getMetricsAsArray()
      .map((m) => m.name),
  );
  // prom-client's process defaults are documented as a group.
  const own = [...defined].filter((name) => !/^restorepoint_(process|nodejs)_/.test(name));

  it('documents every metric restorepoint defines', () => {
    const doc = fs.readFileSync(path.join(DOCS, 'observability.md'), 'utf8');
    for (const name of own) assert.ok(doc.includes(`\`${name}\``), `${name} is documented`);
  });

  it('alerts only on defined metrics', () => {
    const rules = fs.readFileSync(path.join(DOCS, 'prometheus/restorepoint-alerts.yml'), 'utf8');
    const used = [...rules.matchAll(/expr: (.*)/g)].flatMap((m) => m[1]!.match(/\brestorepoint_[a-z_]+/g) ?? []);
    assert.ok(used.length >= 5);
    for (const name of used) assert.ok(defined.has(name), `${name} is defined`);
  });

  it('plots only defined metrics (or Temporal runtime ones)', () => {
    const dashboard = JSON.parse(fs.readFileSync(path.join(DOCS, 'grafana/restorepoint.json'), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/\brestorepoint_[a-z_]+/g) ?? []));
    assert.ok(used.length > 10);
    for (const name of used) assert.ok(defined.has(name.replace(/_(bucket|sum|count)$/, '')), `${name} is defined`);
  });
});
