import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { databaseFingerprint } from '../support/pagila';
import type { ScratchDatabase } from '../support/stack';
import { sql } from '../rollback/rollback-world';
import { choose, press, reloadUntil, SCREENSHOTS, seriousViolations, signIn as signInAs, signOut, type ConsoleBrowser } from './console-world';
import { startPagilaConsole, type PagilaConsole } from './pagila-console-world';

describe('the console recovers a Pagila accident through the wizard: a requester asks, another person approves', () => {
  let db: ScratchDatabase;
  let cb: ConsoleBrowser;
  let exportId: string;
  const pagesChecked: string[] = [];

  /** Every page is checked with axe-core as it is shown, and (for the wizard) photographed for docs/console.md. */
  async function shown(page: Page, screenshot?: string): Promise<void> {
    assert.deepEqual(await seriousViolations(page), [], `axe-core on ${page.url()}`);
    pagesChecked.push(new URL(page.url()).pathname);
    if (screenshot) await page.screenshot({ path: path.join(SCREENSHOTS, `${screenshot}.png`), fullPage: true });
  }

  /** Signs in, checking the sign-in page and the dashboard it leads to. */
  async function signIn(page: Page, subject: string, roles: Record<string, ('viewer' | 'restorer' | 'approver')[]>, screenshot?: string): Promise<void> {
    await page.goto(`${cb.console.url}/login`);
    await shown(page, screenshot);
    await signInAs(cb, subject, roles);
    await shown(page);
  }

  let world: PagilaConsole | undefined;
  before(async () => {
    ({ db, exportId, cb } = world = await startPagilaConsole('console'));
  });
  after(async () => {
    await world?.close();
  });

  it('puts customers, rentals and payments back exactly, with every page accessible and no value in a URL or the log', async () => {
    const { page } = cb;
    const beforeAccident = await databaseFingerprint(db.url);
    await sql(db.url, "update customer set email = 'nobody@example.com', active = 0 where customer_id <= 120");
    await sql(db.url, 'delete from payment where rental_id in (select rental_id from rental where rental_id % 11 = 0)');
    await sql(db.url, 'delete from rental where rental_id % 11 = 0');

    await signIn(page, 'alice', { app: ['restorer'] }, '01-sign-in');
    await page.getByRole('link', { name: 'Recover data' }).press('Enter');
    await page.waitForURL('**/recover/source');
    await shown(page, '02-source');
    await choose(page, 'app');
    await press(page, 'Next');

    await page.waitForURL('**/recover/point');
    await shown(page, '03-restore-point');
    await choose(page, exportId);
    await press(page, 'Next');

    await page.waitForURL('**/recover/scope');
    await shown(page, '04-what');
    for (const table of ['public.customer', 'public.payment', 'public.rental']) await choose(page, table);
    await press(page, 'Next');

    await page.waitForURL('**/recover/target');
    await shown(page, '05-where');
    await choose(page, 'In place: live data in scope becomes what it was (after approval, with a safety snapshot first)');
    await press(page, 'Next');

    await page.waitForURL('**/recover/request');
    await shown(page, '06-request');
    await page.getByLabel('Reason (recorded in the audit ledger)').fill('INC-7: bulk edit of customers, rentals deleted');
    await press(page, 'Request rollback and show the preview');

    await page.waitForURL('**/rollbacks/**');
    const rollbackPath = new URL(page.url()).pathname;
    await reloadUntil(page, 'You requested this rollback');
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0, 'the requester cannot approve their own rollback');
    await shown(page, '07-preview');
    const digest = /Preview digest \(what an approval names\): ([0-9a-f]{64})/.exec(await page.locator('main').innerText())?.[1];
    assert.ok(digest, 'the preview shows its digest');
    await signOut(page);

    await signIn(page, 'bob', { app: ['approver'] });
    await page.getByRole('link', { name: 'Pending approvals' }).press('Enter');
    const rollbackId = rollbackPath.split('/').pop()!;
    await reloadUntil(page, `Review rollback ${rollbackId}`);
    await shown(page, '08-pending-approvals');
    await page.getByRole('link', { name: `Review rollback ${rollbackId}` }).press('Enter');
    await page.waitForURL(`**${rollbackPath}`);
    assert.ok((await page.locator('main').innerText()).includes(digest), 'the approver sees the very preview the requester saw');
    assert.ok((await page.locator('main').innerText()).includes('120 updates'), 'per-table counts: 120 customers changed');
    await page.getByLabel('Comment').fill('matches the incident report');
    await shown(page, '09-approve');
    await press(page, 'Approve');
    await page.waitForURL(`**${rollbackPath}`);
    await reloadUntil(page, 'Stage: done');
    await shown(page, '10-validation-report');
    assert.ok((await page.locator('main').innerText()).includes('Validated: live data in scope equals the restore point, zero differences.'));
    assert.deepEqual(await databaseFingerprint(db.url), beforeAccident);

    await page.goto(`${cb.console.url}/sources/app`);
    await shown(page, '11-source-dashboard');
    assert.ok((await page.locator('main').innerText()).includes('100 %'), 'the dashboard counts the rollback as a success');

    // Undo: offered to the requester (a restorer), not to the approver; it goes through preview and approval again.
    await page.goto(`${cb.console.url}${rollbackPath}`);
    assert.equal(await page.getByRole('button', { name: 'Undo this rollback' }).count(), 0, 'an approver cannot undo');
    await signOut(page);
    await signIn(page, 'alice', { app: ['restorer'] });
    await page.goto(`${cb.console.url}${rollbackPath}`);
    await press(page, 'Undo this rollback');
    await page.waitForURL((url) => url.pathname.startsWith('/rollbacks/') && url.pathname !== rollbackPath);
    await reloadUntil(page, 'You requested this rollback');
    const undoPage = await page.locator('main').innerText();
    assert.ok(undoPage.includes(`This rollback undoes ${rollbackId}.`));
    assert.ok(undoPage.includes('120 updates'), 'the undo would put the 120 edited customers back');
    await shown(page, '14-undo');

    assert.deepEqual(cb.cspViolations, []);
    const rowValues = ['nobody@example.com', 'INC-7', 'matches the incident report'];
    for (const value of rowValues) {
      assert.ok(!cb.requestedUrls.some((u) => u.includes(value)), `${value} in a URL`);
      assert.ok(!cb.logLines.some((l) => l.includes(value)), `${value} in the console's log`);
    }
  });
});
