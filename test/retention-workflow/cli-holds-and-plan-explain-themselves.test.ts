import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LegalHold } from '../../catalog/holds-repo';
import { retentionWorld, type RetentionWorld } from './world';
import { runCli, type CliResult, worldCliEnv } from '../support/cli';
import { tokenFor } from '../support/identity';

describe('`restorepoint hold` and `restorepoint retention` through the CLI', () => {
  let w: RetentionWorld;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-retention-cli-'));
  const policyFile = path.join(folder, 'policy.json');
  let older: string;
  let newer: string;

  let danaToken: string;
  // Holds are placed in the worker for the verified caller: dana proves who she is with a token.
  function cli(...args: string[]): Promise<CliResult> {
    return runCli({ ...worldCliEnv(w.exports.world), RESTOREPOINT_ACTOR: 'dana', RESTOREPOINT_TOKEN: danaToken }, args);
  }

  before(async () => {
    danaToken = await tokenFor('dana');
    w = await retentionWorld();
    older = await w.exportTo(`file://${folder}/exports`);
    newer = await w.exportTo(`file://${folder}/exports`);
    await w.age(older, 10);
    await w.age(newer, 9);
    fs.writeFileSync(policyFile, JSON.stringify({ keepLast: 1 }));
  });
  after(async () => {
    await w?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('hold add needs a reason, names a missing export, and is idempotent', async () => {
    assert.equal((await cli('hold', 'add', older)).code, 2);
    const missing = await cli('hold', 'add', 'no-such-export', '--reason', 'x');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /EXPORT_NOT_FOUND: no export "no-such-export"/);
    const placed = JSON.parse((await cli('hold', 'add', older, '--reason', 'ticket LEGAL-7', '--json')).stdout) as { changed: boolean; hold: LegalHold };
    assert.deepEqual([placed.changed, placed.hold.placedBy, placed.hold.reason], [true, 'dana', 'ticket LEGAL-7']);
    const again = await cli('hold', 'add', older, '--reason', 'ticket LEGAL-7');
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already held since .* by dana: ticket LEGAL-7/);
    const listed = JSON.parse((await cli('hold', 'list', '--json')).stdout) as LegalHold[];
    assert.deepEqual(listed.map((h) => h.exportId), [older]);
  });

  it('retention plan shows every export with its decision and rule, and deletes nothing', async () => {
    const plan = await cli('retention', 'plan', '--policy', policyFile);
    assert.equal(plan.code, 0, plan.stderr);
    const line = (id: string) => plan.stdout.split('\n').find((l) => l.startsWith(id)) ?? '';
    assert.match(line(older), /keep\s+legal-hold\s+under legal hold/);
    assert.match(line(newer), /keep\s+keep-last\s+#1 of the 1 newest restore points of source shop/);
    assert.match(plan.stdout, /: 2 keep, 0 tier, 0 delete/);
    const json = JSON.parse((await cli('retention', 'plan', '--policy', policyFile, '--json')).stdout) as { plan: { exports: { exportId: string; action: { kind: string } }[] } };
    assert.deepEqual(json.plan.exports.map((e) => e.action.kind), ['keep', 'keep']);
    assert.ok((await w.objectsOf(older, `file://${folder}/exports`)).length > 0);
  });

  it('hold remove and retention run without --confirm say what they would do and change nothing', async () => {
    const asked = await cli('hold', 'remove', older, '--reason', 'matter closed');
    assert.equal(asked.code, 0, asked.stderr);
    assert.match(asked.stdout, /would release legal hold \d+ on export .* by dana: ticket LEGAL-7\)\ndry run: nothing was changed; run again with --confirm/);
    const stillHeld = JSON.parse((await cli('hold', 'list', '--json')).stdout) as LegalHold[];
    assert.deepEqual(stillHeld.map((h) => h.exportId), [older]);
    const missing = await cli('hold', 'remove', 'no-such-export', '--reason', 'x');
    assert.deepEqual([missing.code, /EXPORT_NOT_FOUND/.test(missing.stderr)], [1, true], 'a dry run refuses what the release would refuse');
    const asJson = JSON.parse((await cli('hold', 'remove', older, '--reason', 'matter closed', '--json')).stdout) as { dryRun: boolean; changed: boolean; hold: LegalHold };
    assert.deepEqual([asJson.dryRun, asJson.changed, asJson.hold.exportId], [true, false, older]);

    const planned = await cli('retention', 'run', '--policy', policyFile);
    assert.equal(planned.code, 0, planned.stderr);
    assert.match(planned.stdout, /: 2 keep, 0 tier, 0 delete/);
    assert.match(planned.stdout, /dry run: nothing was changed/);
    assert.doesNotMatch(planned.stdout, /applied:/);
    assert.ok((await w.objectsOf(older, `file://${folder}/exports`)).length > 0);
  });

  it('after hold remove --confirm, retention run --confirm deletes the expired export and says what it did', async () => {
    assert.equal((await cli('hold', 'remove', older, '--confirm')).code, 2);
    const released = await cli('hold', 'remove', older, '--reason', 'matter closed', '--confirm');
    assert.match(released.stdout, /released legal hold \d+ on export/);
    const run = await cli('retention', 'run', '--policy', policyFile, '--confirm');
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /dry run/);
    assert.match(run.stdout, new RegExp(`${older}.*delete\\s+expired`));
    assert.match(run.stdout, /applied: 1 deleted \(\d+ objects, [\d.]+ MB\), 0 tiered/);
    assert.deepEqual(await w.objectsOf(older, `file://${folder}/exports`), []);
    const history = JSON.parse((await cli('hold', 'list', older, '--json')).stdout) as LegalHold[];
    assert.deepEqual([history.length, history[0]?.releaseReason], [1, 'matter closed']);
    const runs = JSON.parse((await cli('retention', 'runs', '--json')).stdout) as { dryRun: boolean; outcome: { deleted: number } | null }[];
    assert.deepEqual(runs.map((r) => [r.dryRun, r.outcome?.deleted ?? null]), [[false, 1], [true, null], [true, null], [true, null]]);
  });

  it('a policy file that does not parse is bad usage', async () => {
    fs.writeFileSync(path.join(folder, 'bad.json'), '{"gfs": {"hourly": 3}}');
    const bad = await cli('retention', 'plan', '--policy', path.join(folder, 'bad.json'));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /INPUT_INVALID: --policy .*bad\.json: gfs/);
  });
});
