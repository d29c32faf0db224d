import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { databaseNow, pause, tableFingerprint } from '../point-in-time/chain-world';
import { inTransactionAs, trackedPagila, type TrackedPagila } from '../trail/tracked-pagila';
import { startRollbackWorld, type RollbackWorld } from '../rollback/rollback-world';
import { sql } from '../rollback/rollback-world';
import { choose, chooseScope, press, reloadUntil, SCREENSHOTS, seriousViolations, shownByItself, signIn, signOut, startConsoleBrowser, type ConsoleBrowser } from './console-world';

describe('a point in time chosen in the wizard puts the table back as it was then, and one actor\'s changes are undone by the revert choice', () => {
  let source: TrackedPagila;
  let rw: RollbackWorld;
  let cb: ConsoleBrowser;
  let exportId: string;

  before(async () => {
    source = await trackedPagila();
    rw = await startRollbackWorld(source.db.url);
    exportId = await rw.exportApp();
    cb = await startConsoleBrowser(rw.world.config);
  });
  after(async () => {
    await cb?.close();
    await rw?.close();
    await source?.close();
  });

  it('keeps the change made after the export and before T, and undoes the accident after T', async () => {
    const { page } = cb;
    await inTransactionAs(source.client, 'clerk@app', ['update film set rental_rate = 1.99 where film_id <= 20']);
    await pause(20);
    const at = await databaseNow(source.client);
    const atT = await tableFingerprint(source.db.url);
    await pause(20);
    await inTransactionAs(source.client, 'intern@app', ["update film set rental_rate = 0 where rating = 'G'"]);

    await signIn(cb, 'alice', { app: ['restorer'] });
    await chooseScope(cb, 'app', { at }, ['public.film']);
    await press(page, 'Next');
    await page.waitForURL('**/recover/target');
    await press(page, 'Next');
    await page.waitForURL('**/recover/request');
    assert.match(await page.locator('main').innerText(), new RegExp(`the state at ${at.replace(/\./g, '\\.')}`));
    await page.getByLabel('Reason (recorded in the audit ledger)').fill('INC-9: G films priced at zero');
    await press(page, 'Request rollback and show the preview');
    await page.waitForURL('**/rollbacks/**');
    const rollbackPath = new URL(page.url()).pathname;
    // The rollback appears, and then its preview, on the page by itself (Server-Sent Events), no reload.
    await shownByItself(page, 'You requested this rollback');
    await signOut(page);

    await signIn(cb, 'bob', { app: ['approver'] });
    await page.goto(`${cb.console.url}${rollbackPath}`);
    await page.getByLabel('Comment').fill('only the G films after T');
    await press(page, 'Approve');
    await shownByItself(page, 'Stage: done');
    assert.deepEqual(await seriousViolations(page), []);
    assert.deepEqual(cb.cspViolations, [], 'the progress script and its event stream stay within the policy');
    await page.screenshot({ path: path.join(SCREENSHOTS, '15-point-in-time-done.png'), fullPage: true });
    assert.deepEqual(await tableFingerprint(source.db.url), atT);
    await signOut(page);
  });

  it("shows the trail's coverage beside the restore points and its lag on the source page, and undoes one actor's changes keeping another's later work", async () => {
    const { page } = cb;
    const main = () => page.locator('main').innerText();
    const pgRates = async () => (await sql(source.db.url, "select film_id, rental_rate::text from film where rating = 'PG' order by film_id")).rows;
    const before = await pgRates();
    const since = await databaseNow(source.client);
    await pause(20);
    await inTransactionAs(source.client, 'intern@app', ["update film set rental_rate = 0 where rating = 'PG'"]);
    await inTransactionAs(source.client, 'clerk@app', ['update film set rental_rate = 2.99 where film_id = 2']);

    await signIn(cb, 'alice', { app: ['restorer'] });
    await page.goto(`${cb.console.url}/recover/source`);
    await choose(page, 'app');
    await press(page, 'Next');
    await page.waitForURL('**/recover/point');
    // One span, from the export the trail continues from, to now on the live trail; every tracked table listed.
    const coverage = page.locator('table', { has: page.locator('caption', { hasText: 'Change trail coverage' }) });
    assert.match(await coverage.innerText(), /now \(live trail\)/);
    assert.match(await coverage.innerText(), /public\.film/);
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: path.join(SCREENSHOTS, '16-trail-coverage.png'), fullPage: true });
    await choose(page, exportId);
    await press(page, 'Next');
    await page.waitForURL('**/recover/scope');
    await choose(page, "One actor's changes, undone from the change trail (later work by others is kept)");
    await page.getByLabel('Actor (as the trail recorded them)').fill('intern@app');
    await page.getByLabel('From (optional, e.g. 2026-12-06T10:00:00Z)').fill(since);
    await choose(page, 'public.film');
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: path.join(SCREENSHOTS, '17-what-one-actor.png'), fullPage: true });
    await press(page, 'Next');
    await page.waitForURL('**/recover/target');
    assert.match(await main(), /Undoing changes from the trail runs in place only; its safety snapshot \(the way back\) is exported to file:\/\//);
    assert.equal(await page.getByLabel('Side by side: load the restore point into a new schema of the source, live data untouched').count(), 0);
    await press(page, 'Next');
    await page.waitForURL('**/recover/request');
    assert.match(await main(), /changes by intern@app from .* undone from the change trail/);
    await page.getByLabel('Reason (recorded in the audit ledger)').fill('INC-10: the intern zeroed the PG rates');
    await press(page, 'Request rollback and show the preview');
    await page.waitForURL('**/rollbacks/**');
    const rollbackPath = new URL(page.url()).pathname;
    await reloadUntil(page, 'You requested this rollback');
    await signOut(page);

    await signIn(cb, 'bob', { app: ['approver'] });
    await page.goto(`${cb.console.url}${rollbackPath}`);
    await page.getByLabel('Comment').fill("only the intern's change");
    await press(page, 'Approve');
    await reloadUntil(page, 'Stage: done');
    assert.deepEqual(await pgRates(), before, "the intern's changes are undone");
    assert.equal((await sql(source.db.url, 'select rental_rate::text as r from film where film_id = 2')).rows[0].r, '2.99', "the clerk's later change is kept");

    // Trail lag per tracked table, by the source's clock.
    await page.goto(`${cb.console.url}/sources/app`);
    const lag = page.locator('table', { has: page.locator('caption', { hasText: 'Change trail lag' }) });
    assert.match(await lag.innerText(), /public\.film\t\d{4}-\d{2}-\d{2}T[\d:.]+Z\t\d+ (s|min)/);
    assert.deepEqual(await seriousViolations(page), []);
    await page.screenshot({ path: path.join(SCREENSHOTS, '20-source-trail-lag.png'), fullPage: true });
    assert.deepEqual(cb.cspViolations, []);
    await signOut(page);
  });
});
