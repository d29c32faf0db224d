import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { openCatalog } from '../../catalog/catalog-db';
import { getAlert, raiseAlert } from '../../catalog/alerts-repo';
import { retentionPolicySchema } from '../../core/retention/retention-policy';
import { databaseFingerprint } from '../support/pagila';
import { tokenFor } from '../support/identity';
import { scratchDatabase, type ScratchDatabase } from '../support/stack';
import { sql, type RollbackWorld } from '../rollback/rollback-world';
import { choose, chooseScope, press, reloadUntil, SCREENSHOTS, seriousViolations, signIn, signOut, type ConsoleBrowser } from './console-world';
import { startPagilaConsole, type PagilaConsole } from './pagila-console-world';

/** Reloads `url` until `text` is no longer on it (the pending list follows Temporal's visibility, a moment behind). */
async function reloadUntilGone(page: Page, url: string, text: string): Promise<void> {
  for (;;) {
    await page.goto(url);
    if ((await page.getByText(text).count()) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('a rejected request changes nothing, and the server refuses what the page does not offer', () => {
  let db: ScratchDatabase;
  let rw: RollbackWorld;
  let cb: ConsoleBrowser;
  let exportId: string;
  /** The rollback bob rejected: a withdrawal after that decision is refused. */
  let rejectedId: string;

  const accessible = async (page: Page) => assert.deepEqual(await seriousViolations(page), [], `axe-core on ${page.url()}`);
  const main = (page: Page) => page.locator('main').innerText();

  /** A decision (or a withdrawal) POSTed straight to the server with this browser's session cookie, as a forger would. */
  const forgeDecision = async (page: Page, rollbackId: string, form: Record<string, string>, action = 'decision') => (await page.request.post(`${cb.console.url}/rollbacks/${rollbackId}/${action}`, { form, maxRedirects: 0 })).status();
  const csrfOf = async (page: Page) => (await page.locator('input[name="_csrf"]').first().getAttribute('value'))!;

  let world: PagilaConsole | undefined;
  before(async () => {
    // The console reads the retention policy for storage by tier (the worker needs none here).
    // app has an RPO target of 2 hours its fresh export meets; `idle` (the console's only) has the same and no export at all.
    ({ db, rw, exportId, cb } = world = await startPagilaConsole('console_reject', (config) => ({
      retention: retentionPolicySchema.parse({ keepLast: 2, minAgeDays: 0 }),
      sources: { ...config.sources, app: { ...config.sources.app!, rpoTargetSeconds: 7200 }, idle: { ...config.sources.app!, rpoTargetSeconds: 7200 } },
    })));
  });
  after(async () => {
    await world?.close();
  });

  it('refuses a token that does not verify', async () => {
    const { page } = cb;
    await page.goto(`${cb.console.url}/login`);
    await page.getByLabel('Token').fill(await tokenFor('mallory', { '*': ['admin'] }, { audience: 'another-app' }));
    await press(page, 'Sign in');
    await page.getByText('The token was refused: the token is for another audience').waitFor();
    await accessible(page);
    await page.goto(`${cb.console.url}/dashboard`);
    assert.match(page.url(), /\/login$/, 'nobody is signed in');
  });

  it('a viewer sees no decision and a forged one is refused; a POST without the CSRF token is refused; the approver rejects and nothing changes', async () => {
    const { page } = cb;
    await sql(db.url, "update film set rental_rate = 0.99 where rating = 'PG'");
    const afterAccident = await databaseFingerprint(db.url);

    // alice asks for the PG films back, narrowed by a row predicate.
    await signIn(cb, 'alice', { app: ['restorer'] });
    await chooseScope(cb, 'app', { exportId }, ['public.film']);
    await page.getByLabel("public.film: Only the rows where (optional SQL condition over this table, e.g. rating = 'PG')").fill("rating = 'PG'");
    await press(page, 'Next');
    await page.waitForURL('**/recover/target');
    await press(page, 'Next');
    await page.waitForURL('**/recover/request');
    await page.getByLabel('Reason (recorded in the audit ledger)').fill('INC-8: rental rates of PG films overwritten');
    await press(page, 'Request rollback and show the preview');
    await page.waitForURL('**/rollbacks/**');
    const rollbackId = new URL(page.url()).pathname.split('/').pop()!;
    rejectedId = rollbackId;
    await reloadUntil(page, 'You requested this rollback');
    const digest = /Preview digest \(what an approval names\): ([0-9a-f]{64})/.exec(await main(page))![1]!;
    await signOut(page);

    // victor may look, not decide: no button, no wizard, and the server refuses the forged POST.
    await signIn(cb, 'victor', { app: ['viewer'] });
    await page.goto(`${cb.console.url}/rollbacks/${rollbackId}`);
    await page.getByText('You may look at this rollback but not decide on it.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Reject' }).count(), 0);
    await accessible(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, '12-viewer.png'), fullPage: true });
    const victorsCsrf = (await page.locator('input[name="_csrf"]').first().getAttribute('value'))!;
    assert.equal(await forgeDecision(page, rollbackId, { _csrf: victorsCsrf, kind: 'approve', digest, comment: 'forged' }), 403);
    assert.equal((await page.goto(`${cb.console.url}/recover/source`))!.status(), 403, 'a viewer cannot start the wizard');
    await accessible(page);
    await signOut(page);

    // bob may decide, but not without the form's CSRF token.
    await signIn(cb, 'bob', { app: ['approver'] });
    assert.equal(await forgeDecision(page, rollbackId, { kind: 'approve', digest, comment: 'no csrf' }), 403);
    assert.equal(await forgeDecision(page, rollbackId, { _csrf: victorsCsrf, kind: 'approve', digest, comment: 'stale csrf' }), 403);
    await page.goto(`${cb.console.url}/rollbacks/${rollbackId}`);
    assert.match(await main(page), /Stage: awaiting approval/);
    assert.doesNotMatch(await main(page), /Decisions/, 'no forged decision reached the worker');

    await page.getByLabel('Comment').fill('the PG rates were changed on purpose by pricing');
    await press(page, 'Reject');
    await reloadUntil(page, 'Stage: rejected', ['Stage: done', 'Stage: failed']);
    assert.match(await main(page), /Your rejection was recorded; nothing was changed\./);
    await accessible(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, '13-rejected.png'), fullPage: true });
    assert.deepEqual(await databaseFingerprint(db.url), afterAccident, 'a rejected rollback changes nothing');

    for (const value of ["'PG'", 'rating', '0.99', 'INC-8', 'pricing']) {
      assert.ok(!cb.requestedUrls.some((u) => decodeURIComponent(u).includes(value)), `${value} in a URL`);
      assert.ok(!cb.logLines.some((l) => l.includes(value)), `${value} in the console's log`);
    }
    assert.deepEqual(cb.cspViolations, []);
  });

  it('loads a restore point side by side without touching live data, and keeps the session cookie from scripts and other sites', async () => {
    const { page } = cb;
    const live = await databaseFingerprint(db.url);
    await signIn(cb, 'alice', { app: ['restorer'] });
    const cookie = (await cb.context.cookies()).find((c) => c.name === 'rp_console_session')!;
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    await chooseScope(cb, 'app', { exportId }, ['public.film']);
    await press(page, 'Next');
    await page.waitForURL('**/recover/target');
    await choose(page, 'Side by side: load the restore point into a new schema of the source, live data untouched');
    await page.getByLabel('Schema name for side by side').fill('inspect_film');
    await press(page, 'Next');
    await page.waitForURL('**/recover/request');
    await page.getByLabel('Reason (recorded in the audit ledger)').fill('what were the rates?');
    await press(page, 'Request rollback and show the preview');
    await page.waitForURL('**/rollbacks/**');
    await reloadUntil(page, 'Stage: done');
    await accessible(page);
    assert.deepEqual(await databaseFingerprint(db.url), live, 'live data untouched');
    assert.equal((await sql(db.url, "select count(*)::int as n from inspect_film.film where rating = 'PG' and rental_rate <> 0.99")).rows[0].n > 0, true);
    // The accident detector's alert, with its prepared recovery, is on the source's page.
    const catalog = openCatalog(rw.world.config.catalog.url);
    const windowEnd = new Date();
    await raiseAlert(
      catalog,
      { key: 'console-test', kind: 'mass-delete', source: 'app', table: 'public.film', operation: 'delete', actor: 'intern@app', windowStart: new Date(windowEnd.getTime() - 60_000), windowEnd, counts: { changes: 900 }, summary: 'mass delete on public.film: 900 rows by intern@app', proposal: (id) => `restorepoint revert --source app --actor intern@app --reason 'alert ${id}'` },
      'detector',
    );
    await catalog.destroy();
    await page.goto(`${cb.console.url}/sources/app`);
    await page.getByText('Storage by class').first().waitFor();
    const sourcePage = await main(page);
    assert.match(sourcePage, /mass delete on public\.film: 900 rows by intern@app \(open, raised /);
    assert.match(sourcePage, /restorepoint revert --source app --actor intern@app --reason 'alert alert-/);
    assert.match(sourcePage, /RPO target\s+2 h: within target/);
    await accessible(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, '23-alert-ack.png'), fullPage: true });
    await signOut(page);

    // The dashboard puts each source's RPO target beside its last good export's age, the verdict in words.
    await signIn(cb, 'victor', { app: ['viewer'], idle: ['viewer'] });
    const sources = await page.locator('table').innerText();
    assert.match(sources, /Dashboard of app\t\S+\t\d+ (s|min)\t2 h: within target\t/);
    assert.match(sources, /Dashboard of idle\tnone yet\t\t2 h: over target\t/);
    await accessible(page);
    // victor may look at the alert, not acknowledge it: no form, and the forged POST is refused.
    await page.goto(`${cb.console.url}/sources/app`);
    assert.equal(await page.getByRole('button', { name: 'Acknowledge' }).count(), 0);
    const alertId = /'alert (alert-[\w-]+)'/.exec(await main(page))![1]!;
    const forgeAck = async (form: Record<string, string>) => (await page.request.post(`${cb.console.url}/sources/app/alerts/${alertId}/ack`, { form, maxRedirects: 0 })).status();
    assert.equal(await forgeAck({ _csrf: await csrfOf(page), comment: 'forged' }), 403);
    await signOut(page);

    // alice (a restorer holds alert.ack) acknowledges it from the page, by keyboard; the worker records her.
    await signIn(cb, 'alice', { app: ['restorer'] });
    assert.equal(await forgeAck({ comment: 'no csrf' }), 403);
    await page.goto(`${cb.console.url}/sources/app`);
    await page.getByLabel('Comment on acknowledging this alert (optional)').fill('INC-9: the intern cleaned a test copy');
    await press(page, 'Acknowledge');
    await page.getByText('You acknowledged the alert.').waitFor();
    assert.match(await main(page), /mass delete on public\.film: 900 rows by intern@app \(acknowledged, raised /);
    assert.equal(await page.getByRole('button', { name: 'Acknowledge' }).count(), 0, 'an acknowledged alert offers no second one');
    await accessible(page);
    const checkCatalog = openCatalog(rw.world.config.catalog.url);
    try {
      assert.equal((await getAlert(checkCatalog, alertId))!.ackedBy, 'alice');
    } finally {
      await checkCatalog.destroy();
    }
    await signOut(page);
  });

  it('the requester withdraws a pending request and approvers see it gone; nobody else can, and not after a decision', async () => {
    const { page } = cb;
    const live = await databaseFingerprint(db.url);
    await signIn(cb, 'alice', { app: ['restorer'] });
    await chooseScope(cb, 'app', { exportId }, ['public.language']);
    await press(page, 'Next');
    await page.waitForURL('**/recover/target');
    await press(page, 'Next');
    await page.waitForURL('**/recover/request');
    await page.getByLabel('Reason (recorded in the audit ledger)').fill('INC-11: asked too early');
    await press(page, 'Request rollback and show the preview');
    await page.waitForURL('**/rollbacks/**');
    const rollbackId = new URL(page.url()).pathname.split('/').pop()!;
    await reloadUntil(page, 'Withdraw your request');
    await accessible(page);
    await page.screenshot({ path: path.join(SCREENSHOTS, '21-withdraw.png'), fullPage: true });
    await signOut(page);

    // bob sees it pending, gets no Withdraw, and his forged withdrawal is refused by the server.
    await signIn(cb, 'bob', { app: ['approver'] });
    await page.goto(`${cb.console.url}/approvals`);
    await page.getByText(`Review rollback ${rollbackId}`).waitFor();
    await page.goto(`${cb.console.url}/rollbacks/${rollbackId}`);
    assert.equal(await page.getByRole('button', { name: 'Withdraw the request' }).count(), 0);
    assert.equal(await forgeDecision(page, rollbackId, { _csrf: await csrfOf(page), comment: 'not mine' }, 'withdraw'), 403);
    await signOut(page);

    await signIn(cb, 'alice', { app: ['restorer'] });
    await page.goto(`${cb.console.url}/rollbacks/${rollbackId}`);
    await page.getByLabel('Comment').fill('wrong table');
    await press(page, 'Withdraw the request');
    await page.getByText('You withdrew the request; nothing was changed.').waitFor();
    await reloadUntil(page, 'Stage: cancelled', ['Stage: done', 'Stage: failed']);
    assert.match(await main(page), /withdrawn by the requester alice; nothing was changed/);
    await accessible(page);
    // A withdrawal after bob's decision: no button, and the forged POST is refused with the typed error.
    await page.goto(`${cb.console.url}/rollbacks/${rejectedId}`);
    assert.equal(await page.getByRole('button', { name: 'Withdraw the request' }).count(), 0);
    assert.equal(await forgeDecision(page, rejectedId, { _csrf: await csrfOf(page), comment: 'too late' }, 'withdraw'), 303);
    await page.goto(`${cb.console.url}/rollbacks/${rejectedId}`);
    assert.match(await main(page), /The withdrawal was refused: ROLLBACK_NOT_PENDING: /);
    assert.match(await main(page), /Stage: rejected/);
    await signOut(page);

    await signIn(cb, 'bob', { app: ['approver'] });
    await reloadUntilGone(page, `${cb.console.url}/approvals`, `Review rollback ${rollbackId}`);
    await signOut(page);
    assert.deepEqual(await databaseFingerprint(db.url), live, 'a withdrawn request changes nothing');
  });

  it('restores a restore point into a scratch database and shows storage by retention tier', async () => {
    const { page } = cb;
    const scratch = await scratchDatabase('console_scratch');
    try {
      const live = await databaseFingerprint(db.url);
      await signIn(cb, 'alice', { app: ['restorer'], [`local:${scratch.name}`]: ['restorer'] });
      await chooseScope(cb, 'app', { exportId }, ['public.film', 'public.language']);
      await press(page, 'Next');
      await page.waitForURL('**/recover/target');
      await choose(page, 'A scratch database: restore the restore point (or reconstruct the point in time) into another, empty database; live data untouched, no approval needed');
      await page.getByLabel('Scratch database: a configured target, or local:<database> on the local stack (it must exist and be empty)').fill(`local:${scratch.name}`);
      await accessible(page);
      await page.screenshot({ path: path.join(SCREENSHOTS, '18-where-scratch-database.png'), fullPage: true });
      await press(page, 'Next');
      await page.waitForURL('**/recover/request');
      assert.equal(await page.getByLabel('Reason (recorded in the audit ledger)').count(), 0, 'no approval, no reason');
      await press(page, 'Start the restore into the scratch database');
      await page.waitForURL('**/scratch/restore/**');
      await reloadUntil(page, 'Done:', ['The restore failed']);
      assert.match(await main(page), /Restore of export .* into local:console_scratch_\w+/);
      await accessible(page);
      await page.screenshot({ path: path.join(SCREENSHOTS, '19-scratch-database-done.png'), fullPage: true });
      assert.equal((await sql(scratch.url, 'select count(*)::int as n from film')).rows[0].n, 1000);
      assert.deepEqual(await databaseFingerprint(db.url), live, 'live data untouched');

      // Storage by tier: the configured policy's own plan (keep the last 2) decides each export's tier.
      await page.goto(`${cb.console.url}/sources/app`);
      const tiers = await page.locator('table', { has: page.locator('caption', { hasText: 'Storage by retention tier' }) }).innerText();
      assert.match(tiers, /keep-last\t/);
      assert.match(await main(page), /No table of this source is tracked by the change trail\./);
      await accessible(page);
      await signOut(page);
    } finally {
      await scratch.drop();
    }
  });

  it('speaks German when the browser asks for it, and the language the user chooses after that', async () => {
    const { page } = cb;
    // A browser set to German (this profile's own locale is English, so the header is set on the way out).
    await page.route('**/*', (route) => route.continue({ headers: { ...route.request().headers(), 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' } }));
    await page.goto(`${cb.console.url}/login`);
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Anmelden');
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    await accessible(page);
    await page.getByLabel('Sprache').selectOption('en');
    await press(page, 'Sprache wechseln');
    await page.waitForURL('**/login');
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Sign in');
    await page.unrouteAll();
  });
});
