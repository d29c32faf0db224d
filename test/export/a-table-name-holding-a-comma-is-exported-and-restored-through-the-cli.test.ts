import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { schemaList, splitNameList } from '../../client/cli/name-list';
import { manifestSchema } from '../../core/manifest';
import { databaseFingerprint } from '../../postgres/content-fingerprint';
import { runCli, worldCliEnv } from '../support/cli';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { exportWorld, sql, type ExportWorld } from './harness';

/**
 * Issue 11 leftover: "a table name holding a comma breaks --tables" — the CLI split every flag
 * value at its commas, so `"Sales Data"."a,b"` became two patterns that matched nothing. Commas
 * inside double quotes now belong to the name, flags may be repeated, and schema names in
 * `--schemas` may be quoted too.
 */
describe('a table name holding a comma is exported and restored through the CLI', () => {
  let w: ExportWorld;
  let source: ScratchDatabase;
  let target: ScratchDatabase;
  let env: Record<string, string>;
  const destination = `gs://restorepoint-comma-${process.pid}/x`;

  before(async () => {
    source = await scratchDatabase('comma');
    target = await scratchDatabase('comma_dst');
    await sql(
      source.url,
      'create schema "Sales Data"',
      'create table "Sales Data"."a,b" (id int primary key, "x,y" text)',
      `insert into "Sales Data"."a,b" select g, 'row, ' || g from generate_series(1, 25) g`,
      // Tables a split at the comma would have matched instead: they must stay out.
      'create table "Sales Data".a (id int)',
      'create table "Sales Data"."b" (id int)',
      'create schema "x,y"',
      'create table "x,y".t (id int)',
      'insert into "x,y".t values (1), (2)',
      'create table public.plain (id int)',
      'insert into public.plain values (7)',
    );
    w = await exportWorld({ src: source.url });
    env = { ...worldCliEnv(w.world), RESTOREPOINT_SOURCE_SRC: source.url };
  });
  after(async () => {
    await w?.close();
    for (const db of [source, target]) await db?.drop();
  });

  it('splits a flag value only at commas outside double quotes; a quoted schema name is unquoted', () => {
    assert.deepEqual(splitNameList('"Sales Data"."a,b", public.plain,,'), ['"Sales Data"."a,b"', 'public.plain']);
    assert.deepEqual(splitNameList('"say ""hi, there"""'), ['"say ""hi, there"""']);
    assert.throws(() => splitNameList('"a,b'), /INPUT_INVALID|unclosed double quote/);
    // Schema names are names, not patterns: a quoted one is unquoted, any other kept as written.
    assert.deepEqual(schemaList('"a,b",Sales Data', ['x']), ['x', 'a,b', 'Sales Data']);
    assert.deepEqual(schemaList('"say ""hi"""'), ['say "hi"']);
  });

  it('export --help says how to write a name holding a comma and that the flags repeat', async () => {
    const help = await runCli(env, ['export', '--help']);
    assert.match(help.stdout, /--tables '"Sales Data"\."a,b"'/);
    assert.match(help.stdout, /commas inside double quotes are part of the name\) and may be repeated/);
  });

  it('--tables \'"Sales Data"."a,b"\' repeated with another flag exports exactly those tables, and restores equal by fingerprint', async () => {
    const exported = await runCli(env, ['export', '--source', 'src', '--to', destination, '--id', 'comma-tables', '--tables', '"Sales Data"."a,b"', '--tables', 'public.plain', '--wait', '--json']);
    assert.equal(exported.code, 0, exported.stderr);
    const manifest = manifestSchema.parse(JSON.parse((await w.store(destination).getBytes('comma-tables/manifest.json')).toString('utf8')));
    assert.deepEqual(manifest.tables.map((t) => `${t.schema}.${t.name}`).sort(), ['Sales Data.a,b', 'public.plain']);
    assert.deepEqual(manifest.scope?.tables, ['"Sales Data"."a,b"', 'public.plain']);

    const restored = await runCli(env, ['restore', 'comma-tables', '--target', `local:${target.name}`, '--json']);
    assert.equal(restored.code, 0, restored.stderr);
    const wanted = (fingerprint: Record<string, string>) => Object.fromEntries(Object.entries(fingerprint).filter(([k]) => ['table Sales Data.a,b', 'table public.plain'].includes(k)));
    const before = wanted(await databaseFingerprint(source.url, ['Sales Data', 'public']));
    assert.equal(Object.keys(before).length, 2);
    assert.deepEqual(wanted(await databaseFingerprint(target.url, ['Sales Data', 'public'])), before);
  });

  it('--schemas \'"x,y"\' names the schema x,y; --exclude takes a quoted comma too', async () => {
    const exported = await runCli(env, ['export', '--source', 'src', '--to', destination, '--id', 'comma-schemas', '--schemas', '"x,y","Sales Data"', '--exclude', '"Sales Data"."a,b"', '--wait', '--json']);
    assert.equal(exported.code, 0, exported.stderr);
    const manifest = manifestSchema.parse(JSON.parse((await w.store(destination).getBytes('comma-schemas/manifest.json')).toString('utf8')));
    assert.deepEqual([...(manifest.scope?.schemas ?? [])].sort(), ['Sales Data', 'x,y']);
    assert.deepEqual(manifest.tables.map((t) => `${t.schema}.${t.name}`).sort(), ['Sales Data.a', 'Sales Data.b', 'x,y.t']);
  });
});
