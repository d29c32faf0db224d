import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../config/load';
import { WORKER_NODE_FLAGS } from '../../worker/node-flags';

/**
 * No Docker engine runs here, so images are never pulled: the compose file is checked by Debian's
 * docker-compose (`config`: the Compose schema, interpolation, references between services) and
 * its resolved model is asserted on for what makes `docker compose up` start.
 */
const ROOT = path.join(__dirname, '../..');
const COMPOSE = path.join(ROOT, 'docker-compose.yml');

interface Service {
  readonly image?: string;
  readonly build?: unknown;
  readonly restart?: string;
  readonly healthcheck?: { readonly test: readonly string[] | string };
  readonly depends_on?: Readonly<Record<string, { readonly condition: string }>>;
  readonly environment?: Readonly<Record<string, string>>;
  readonly volumes?: readonly ({ readonly source: string; readonly target: string; readonly read_only?: boolean } | string)[];
  readonly entrypoint?: readonly string[];
  readonly stop_grace_period?: string;
}

function composeConfig(): { readonly services: Readonly<Record<string, Service>> } {
  // With no passwords in the environment, the file's `${…:-default}` fallbacks are what is checked.
  const resolved = execFileSync('docker-compose', ['-f', COMPOSE, '--project-directory', ROOT, 'config'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  // docker-compose depends on python3-yaml: parse its normalised output into JSON.
  const json = execFileSync('python3', ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], { input: resolved, encoding: 'utf8' });
  return JSON.parse(json) as { services: Record<string, Service> };
}

describe('docker-compose.yml is valid and starts its services in order', () => {
  const { services } = composeConfig();
  const worker = services.worker!;

  it('passes docker-compose config (the Compose schema and interpolation)', () => {
    execFileSync('docker-compose', ['-f', COMPOSE, '--project-directory', ROOT, 'config', '--quiet'], { stdio: 'pipe' });
  });

  it('runs a maintained Temporal server image with its schema set up by admin-tools, never auto-setup', () => {
    const images = Object.values(services).map((s) => s.image ?? '');
    assert.ok(!images.some((i) => i.includes('auto-setup')), images.join(', '));
    const server = services.temporal!;
    assert.match(server.image!, /^temporalio\/server:\d+\.\d+\.\d+$/);
    const version = server.image!.split(':')[1];
    assert.equal(services['temporal-schema']!.image, `temporalio/admin-tools:${version}`, 'schema tools and server on the same version');
    assert.deepEqual(server.depends_on, { 'temporal-schema': { condition: 'service_completed_successfully' } });
    assert.deepEqual(services['temporal-schema']!.depends_on, { 'temporal-db': { condition: 'service_healthy' } });
    assert.deepEqual(services['temporal-namespace']!.depends_on, { temporal: { condition: 'service_healthy' } });
    for (const script of ['setup-schema.sh', 'create-namespace.sh']) {
      const text = fs.readFileSync(path.join(ROOT, 'deploy/temporal', script), 'utf8');
      assert.match(text, /^#!\/bin\/sh\n(#.*\n)*set -eu/, script);
    }
  });

  it('creates the catalog database, on a server of its own', () => {
    const catalog = services['catalog-db']!;
    assert.equal(catalog.environment!.POSTGRES_DB, 'restorepoint_catalog');
    const url = new URL(worker.environment!.RESTOREPOINT_CATALOG_URL!);
    assert.deepEqual([url.hostname, url.pathname, url.username], ['catalog-db', '/restorepoint_catalog', catalog.environment!.POSTGRES_USER]);
    assert.notEqual(new URL(worker.environment!.RESTOREPOINT_SOURCE_APP!).hostname, url.hostname, 'the catalog is not on the source it protects');
  });

  it('gives every long-running service a restart policy and every dependency a healthcheck the dependant waits for', () => {
    for (const [name, service] of Object.entries(services)) {
      const oneShot = name === 'temporal-schema' || name === 'temporal-namespace';
      assert.match(service.restart ?? '', oneShot ? /^on-failure/ : /^(unless-stopped|always)$/, `${name} restart`);
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        const target = services[dependency]!;
        const expected = target.healthcheck ? 'service_healthy' : 'service_completed_successfully';
        assert.equal(condition, expected, `${name} waits for ${dependency}`);
        if (condition === 'service_completed_successfully') assert.match(target.restart!, /^on-failure/, `${dependency} is a one-shot job`);
      }
    }
    assert.deepEqual(Object.keys(worker.depends_on!).sort(), ['app-db', 'catalog-db', 'gcs', 'temporal', 'temporal-namespace']);
    for (const db of ['temporal-db', 'catalog-db', 'app-db']) assert.match(JSON.stringify(services[db]!.healthcheck!.test), /pg_isready/);
  });

  it('mounts the config the worker reads, and it passes the config schema with the compose environment', () => {
    const mounts = (worker.volumes ?? []).map((v) => (typeof v === 'string' ? { source: v.split(':')[0]!, target: v.split(':')[1]! } : v));
    const config = mounts.find((m) => m.target === worker.environment!.RESTOREPOINT_CONFIG);
    assert.ok(config, 'RESTOREPOINT_CONFIG names a mounted file');
    assert.equal(path.relative(ROOT, config.source), 'deploy/config/restorepoint.json');
    assert.ok(mounts.some((m) => m.target === '/etc/restorepoint/keys'), 'the keys folder is mounted');

    const loaded = loadConfig({ ...worker.environment, RESTOREPOINT_CONFIG: config.source });
    // (A machine running the local stack adds its `demo` source: loadConfig reads the stack's state too.)
    assert.match(loaded.sources.app!.url, /^postgres:\/\/postgres:.*@app-db:5432\/app$/);
    assert.ok(loaded.approval.approvers.length >= loaded.approval.approversRequired, 'the approval policy can be met');
    assert.deepEqual(loaded.sources.app!.features, { inPlaceRollback: true, revert: true, pointInTimeRollback: true });
    assert.ok(worker.stop_grace_period && parseInt(worker.stop_grace_period, 10) >= loaded.worker.shutdownGraceSeconds, 'the container outlives the worker\'s grace period');
  });

  it('builds the worker on a Node LTS, from built JavaScript, with a pg_dump that reads PostgreSQL 13–17', () => {
    const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    assert.ok(bases.length > 0 && bases.every((b) => /^node:(22|24)-/.test(b!)), bases.join(', '));
    assert.match(dockerfile, /apt\.postgresql\.org\/pub\/repos\/apt bookworm-pgdg main/);
    assert.match(dockerfile, /install .*postgresql-client-17/);
    assert.match(dockerfile, /npm ci --omit=dev/);
    // The worker's Node flags (worker/node-flags.ts), as `npm run worker` passes them too.
    assert.ok(dockerfile.split('\n').includes(`CMD ${JSON.stringify(['node', ...WORKER_NODE_FLAGS, 'dist/worker/main.js']).replaceAll(',', ', ')}`), 'CMD runs dist/worker/main.js with the worker\'s Node flags');
    const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    assert.equal(scripts.worker, `node ${WORKER_NODE_FLAGS.join(' ')} --import tsx worker/main.ts`);
    assert.doesNotMatch(dockerfile, /tsx/);
  });

  it('keeps the host\'s packages, local state and keys out of the image (.dockerignore)', () => {
    const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', '.restorepoint', '.git', 'dist', 'deploy/keys/*']) assert.ok(ignored.includes(entry), entry);
  });
});
