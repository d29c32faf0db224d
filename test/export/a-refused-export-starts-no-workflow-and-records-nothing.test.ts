import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { openCatalog } from '../../catalog/catalog-db';
import { exportWorkflowId } from '../../core/export-input';
import { exportHandle } from '../../client/exports';
import { runCli, worldCliEnv } from '../support/cli';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { exportWorld, sql, type ExportWorld } from './harness';

/**
 * Issue 11 item 7 and issue 18 item 6: an export whose request cannot be right is refused by
 * the CLI before anything starts — no workflow, no catalog row, no ledger entry — with exit 2
 * for bad input (unknown source, a system schema, an object that cannot be exported) and 1
 * for what is not found (a schema or table pattern matching nothing, an unknown export id).
 */
describe('a refused export starts no workflow and records nothing', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let env: Record<string, string>;
  const to = `gs://restorepoint-refused-${process.pid}/x`;
  const refusedIds: string[] = [];

  const exportCli = (id: string, ...args: string[]) => {
    refusedIds.push(id);
    return runCli(env, ['export', '--to', to, '--id', id, ...args]);
  };

  before(async () => {
    source = await scratchDatabase('refused');
    await sql(
      source.url,
      'create table orders (id int primary key)',
      'insert into orders values (1), (2)',
      'create schema "Sales Data"',
      'create table "Sales Data".lines (id int)',
    );
    w = await exportWorld({ src: source.url });
    env = { ...worldCliEnv(w.world), RESTOREPOINT_SOURCE_SRC: source.url };
  });
  after(async () => {
    await w?.close();
    await source?.drop();
  });

  it('regression "an unknown source without --wait printed started and exited 0": exit 2, SOURCE_UNKNOWN', async () => {
    const result = await exportCli('refused-unknown-source', '--source', 'nosuch');
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /SOURCE_UNKNOWN: no source named "nosuch"/);
    assert.doesNotMatch(result.stdout, /started/);
  });

  it('regression "--schemas pg_catalog archived pg_authid password hashes": system schemas are refused, exit 2', async () => {
    for (const [id, flag, value] of [
      ['refused-pg-catalog', '--schemas', 'pg_catalog'],
      ['refused-information-schema', '--schemas', 'information_schema'],
      ['refused-trail', '--schemas', 'restorepoint_trail'],
      ['refused-pg-authid', '--tables', 'pg_catalog.pg_authid'],
    ] as const) {
      const result = await exportCli(id, '--source', 'src', flag, value);
      assert.equal(result.code, 2, `${value}: ${result.stderr}`);
      assert.match(result.stderr, /INPUT_INVALID: .*system schema/, value);
    }
  });

  it('a schema or table pattern matching nothing is named, exit 1 (names are exact: "sales data" is not "Sales Data")', async () => {
    for (const [id, flag, value, named] of [
      ['refused-no-table', '--tables', 'nosuch', /no table matches "nosuch"/],
      ['refused-no-wildcard-match', '--tables', 'zz*', /no table matches "zz\*"/],
      ['refused-folded-schema', '--schemas', 'sales data', /no schema "sales data"/],
    ] as const) {
      const result = await exportCli(id, '--source', 'src', flag, value);
      assert.equal(result.code, 1, `${value}: ${result.stderr}`);
      assert.match(result.stderr, /TABLE_NOT_FOUND/);
      assert.match(result.stderr, named);
    }
  });

  it('unknown export ids are not found, exit 1', async () => {
    const shown = await runCli(env, ['exports', 'show', 'no-such-export']);
    assert.equal(shown.code, 1);
    assert.match(shown.stderr, /EXPORT_NOT_FOUND/);
    const progress = await runCli(env, ['export-progress', 'no-such-export']);
    assert.equal(progress.code, 1);
    assert.match(progress.stderr, /EXPORT_NOT_FOUND/);
  });

  it('none of the refused exports reached the catalog, the ledger or Temporal', async () => {
    const catalog = openCatalog(w.world.config.catalog.url);
    try {
      assert.deepEqual(await catalog('exports').whereIn('id', refusedIds).select('id'), []);
      assert.deepEqual(await catalog('ledger').whereIn('subject', refusedIds).select('seq'), []);
    } finally {
      await catalog.destroy();
    }
    for (const id of refusedIds) {
      await assert.rejects(w.client.temporal.workflow.getHandle(exportWorkflowId(id)).describe(), WorkflowNotFoundError, id);
    }
  });

  it('a narrowed export says its scope when started, in exports show and list; --help says what the default is', async () => {
    const started = await runCli(env, ['export', '--to', to, '--id', 'scoped', '--source', 'src', '--schemas', 'Sales Data,public']);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /scope: partial: schemas Sales Data, public/);
    await exportHandle(w.client, 'scoped').result();
    const shown = await runCli(env, ['exports', 'show', 'scoped']);
    assert.match(shown.stdout, /^scope: partial: schemas Sales Data, public$/m);
    const listed = await runCli(env, ['exports', 'list']);
    assert.match(listed.stdout, /scoped\s+succeeded\s+\S+\s+src\s+partial/);
    const help = await runCli(env, ['export', '--help']);
    assert.match(help.stdout, /Scope: with no --schemas, --tables or --exclude an export covers every schema of the database/);
    assert.match(help.stdout, /recorded as partial/);
  });
});
