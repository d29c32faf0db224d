import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { withCatalog } from '../../catalog/catalog-db';
import { listLedger } from '../../catalog/ledger';
import { pruneTrail, startReconstruct } from '../../client/point-in-time';
import type { ChainLink } from '../../core/restore-points';
import { sealTrail, verifyTrail } from '../../trail';
import { failureCode } from '../incremental/failure-code';
import { runCli, worldCliEnv } from '../support/cli';
import { inTransactionAs } from '../trail/tracked-pagila';
import { chainWorld, tableFingerprint, type ChainWorld } from './chain-world';

describe('the trail is pruned from the source only after its archived copy verifies', () => {
  let w: ChainWorld;
  let delta: ChainLink;
  const entriesInSource = async () => Number((await w.source.client.query<{ n: string }>('select count(*) as n from restorepoint_trail.change')).rows[0]!.n);
  type PruneResult = Awaited<ReturnType<typeof pruneTrail>>;
  const prune = (options: { through?: number } = {}) => pruneTrail(w.client, { source: 'pagila', requestedBy: 'test', ...options });

  before(async () => {
    w = await chainWorld(1);
    await w.exportNow('full');
    await inTransactionAs(w.source.client, 'alice@app', [`update film set rental_rate = rental_rate + 1 where film_id <= 20`, `delete from film_actor where film_id = 7`]);
    delta = await w.exportNow('incremental');
  });
  after(async () => {
    await w?.close();
  });

  it('refuses while an archived part does not match its checksum', async () => {
    const part = `${w.destination.slice('file://'.length)}/${delta.exportId}/trail/part-00000.jsonl.zst`;
    const original = fs.readFileSync(part);
    const damaged = Buffer.from(original);
    damaged[damaged.length - 5] ^= 0xff;
    fs.writeFileSync(part, damaged);
    try {
      assert.match(await failureCode(prune()), /^PRUNE_REFUSED: the archive in .* does not verify/);
    } finally {
      fs.writeFileSync(part, original);
    }
  });

  it('refuses positions no archive holds yet', async () => {
    await inTransactionAs(w.source.client, null, [`update language set name = 'Esperanto' where language_id = 3`]);
    const { head } = await sealTrail(w.source.client);
    assert.ok(head && head.position > delta.trailTo!.position);
    assert.match(await failureCode(prune({ through: head.position })), /^PRUNE_REFUSED: verified archives reach position \d+ only/);
  });

  it('`trail prune` plans without --confirm, then with it prunes exactly the archived range; the kept chain still verifies and goes on', async () => {
    const before = await entriesInSource();
    const cli = (...args: string[]) => runCli(worldCliEnv(w.world), ['trail', 'prune', '--source', 'pagila', '--requested-by', 'test', ...args]);
    const asked = await cli();
    assert.equal(asked.code, 0, asked.stderr);
    assert.match(asked.stdout, new RegExp(`^would prune positions 1..${delta.trailTo!.position} of pagila; archive verified in ${delta.exportId}\ndry run: nothing was changed`));
    const planned = JSON.parse((await cli('--json')).stdout) as PruneResult;
    assert.deepEqual([planned.dryRun, planned.from.position, planned.through.position, planned.removed], [true, 0, delta.trailTo!.position, 0]);
    assert.equal(await entriesInSource(), before);

    const done = JSON.parse((await cli('--confirm', '--json')).stdout) as PruneResult;
    assert.deepEqual([done.dryRun, done.removed], [false, delta.trailTo!.position]);
    assert.deepEqual(done.archives, [delta.exportId]);
    assert.equal(await entriesInSource(), before - done.removed);
    const verified = await verifyTrail(w.source.client);
    assert.equal(verified.ok, true);

    const next = await w.exportNow('incremental');
    assert.equal(next.trailFrom!.position, delta.trailTo!.position);
    const reconstructed = await startReconstruct(w.client, { source: 'pagila', at: next.asOf!, target: 'target-0', requestedBy: 'test' });
    await reconstructed.result();
    assert.deepEqual(await tableFingerprint(w.targets[0]!.url), await tableFingerprint(w.source.db.url));
  });

  it('writes every attempt to the ledger', async () => {
    const entries = await withCatalog(w.world.config.catalog.url, (db) => listLedger(db, { action: 'trail.pruned', limit: 100 }));
    assert.deepEqual(entries.map((e) => e.outcome), ['failed', 'failed', 'planned', 'planned', 'ok']);
  });
});
