import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DeltaManifest } from '../../core/restore-points';
import { ChainFollower, sealTrail, verifyTrail, type ArchivedEntry } from '../../trail';
import { chainWorld, type ChainWorld } from '../point-in-time/chain-world';
import { plaintextOf } from '../support/stored-plaintext';
import { inTransactionAs } from '../trail/tracked-pagila';

// An incremental export reads back the entries sealed before it (by `trail verify`, a periodic
// sealing...) and seals the rest itself, archiving them as it hashes them. Both halves, each more
// than a page long, must come out as one unbroken chain in position order.

describe('a delta archives the entries sealed before it and those it seals itself as one chain', () => {
  let w: ChainWorld;
  before(async () => {
    w = await chainWorld(0);
  });
  after(async () => {
    await w?.close();
  });

  it('in position order, every hash following from the parent export’s last link', async () => {
    const full = await w.exportNow('full');
    const rentals = async (where: string) => Number((await w.source.client.query<{ n: string }>(`select count(*) as n from rental where ${where}`)).rows[0]!.n);
    const early = await rentals('rental_id <= 6000');
    const late = await rentals('rental_id > 6000 and rental_id <= 12000');
    await inTransactionAs(w.source.client, 'early@app', [`update rental set return_date = return_date where rental_id <= 6000`]);
    assert.equal((await sealTrail(w.source.client)).sealed, early);
    await inTransactionAs(w.source.client, 'late@app', [`update rental set return_date = return_date where rental_id > 6000 and rental_id <= 12000`]);

    const delta = await w.exportNow('incremental', { compression: 'none' });
    const folder = w.destination.slice('file://'.length);
    const manifest = JSON.parse(fs.readFileSync(path.join(folder, delta.exportId, 'manifest.json'), 'utf8')) as DeltaManifest;
    // Trail archives are encrypted under the delta's data key, like every stored object.
    const texts = await Promise.all(manifest.parts.map(async (part) => (await plaintextOf(w.world.config, delta.exportId, part.key, fs.readFileSync(path.join(folder, part.key)))).toString('utf8')));
    const entries = texts.flatMap((text) => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as ArchivedEntry));

    assert.equal(entries.length, early + late);
    assert.deepEqual(manifest.trail.from, full.trailTo);
    const follower = new ChainFollower(full.trailTo!);
    for (const entry of entries) assert.equal(follower.follow(entry), null, `entry ${entry.position} continues the chain`);
    assert.deepEqual(follower.head, manifest.trail.to);
    const actors = entries.map((e) => (JSON.parse(e.canonical) as unknown[])[12]);
    assert.deepEqual([actors[0], actors[early - 1], actors[early], actors.at(-1)], ['early@app', 'early@app', 'late@app', 'late@app']);
    assert.equal(manifest.tables.find((t) => t.name === 'rental')!.changes.update, early + late);

    // What the export sealed is the source's chain: it verifies up to the delta's end.
    const verification = await verifyTrail(w.source.client, { anchor: manifest.trail.to });
    assert.ok(verification.ok && verification.entries === manifest.trail.to.position, JSON.stringify(verification));
  });
});
