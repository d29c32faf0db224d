import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { databaseNow, pause, tableFingerprint } from '../point-in-time/chain-world';
import { inTransactionAs, trackedPagila, type TrackedPagila } from '../trail/tracked-pagila';
import { startRollbackWorld, type RollbackWorld } from '../rollback/rollback-world';
import { chooseScope, press, SCREENSHOTS, seriousViolations, shownByItself, signIn, signOut, startConsoleBrowser, type ConsoleBrowser } from './console-world';

describe('a point in time chosen in the wizard puts the table back as it was then', () => {
  let source: TrackedPagila;
  let rw: RollbackWorld;
  let cb: ConsoleBrowser;

  before(async () => {
    source = await trackedPagila();
    rw = await startRollbackWorld(source.db.url);
    await rw.exportApp();
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
});
