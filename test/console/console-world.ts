import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import axe from 'axe-core';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Config } from '../../config/schema';
import { startConsole, type RunningConsole } from '../../console/server';
import type { RolesByResource } from '../../identity/permissions';
import { tokenFor } from '../support/identity';

/** Debian's Chromium, headless, with nothing reaching out to the network on its own. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface ConsoleBrowser {
  /** The console now running (another one after `restartConsole`). */
  readonly console: RunningConsole;
  readonly page: Page;
  readonly context: BrowserContext;
  /** Every log record the console wrote. */
  readonly logLines: string[];
  /** Every URL the browser requested. */
  readonly requestedUrls: string[];
  /** Content-Security-Policy complaints the browser printed. */
  readonly cspViolations: string[];
  /** Stops the console and starts it again on the same port (from `config`, or the same one), the browser left as it is. */
  restartConsole(config?: Config): Promise<void>;
  close(): Promise<void>;
}

/** The console served from `config` on a free port, and a fresh Chromium profile looking at it. */
export async function startConsoleBrowser(config: Config): Promise<ConsoleBrowser> {
  const logLines: string[] = [];
  const log = (record: Readonly<Record<string, string | number>>) => logLines.push(JSON.stringify(record));
  let running = await startConsole(config, { port: 0, log });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS, locale: 'en-US', viewport: { width: 1200, height: 900 } });
  const page = context.pages()[0] ?? (await context.newPage());
  const requestedUrls: string[] = [];
  const cspViolations: string[] = [];
  page.on('request', (request) => requestedUrls.push(request.url()));
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) cspViolations.push(message.text());
  });
  return {
    get console() {
      return running;
    },
    async restartConsole(next = config) {
      await running.close();
      running = await startConsole(next, { port: Number(new URL(running.url).port), log });
    },
    page,
    context,
    logLines,
    requestedUrls,
    cspViolations,
    async close() {
      await context.close();
      await running.close();
      fs.rmSync(profile, { recursive: true, force: true });
      if (!process.env.RESTOREPOINT_CONSOLE_SCREENSHOTS) fs.rmSync(SCREENSHOTS, { recursive: true, force: true });
    },
  };
}

interface Violation {
  readonly id: string;
  readonly impact: string | null;
  readonly targets: readonly string[];
}

/** axe-core's serious and critical violations on the page shown now (its source evaluated in the page, past the CSP, as DevTools would). */
export async function seriousViolations(page: Page): Promise<readonly Violation[]> {
  await page.evaluate(axe.source);
  const violations = (await page.evaluate(
    'axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(" ")) })))',
  )) as Violation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * Where the wizard's screenshots go: a temporary folder, unless RESTOREPOINT_CONSOLE_SCREENSHOTS
 * names one (`docs/console` refreshes those docs/console.md shows), so a test run leaves the
 * checkout as it was.
 */
export const SCREENSHOTS = process.env.RESTOREPOINT_CONSOLE_SCREENSHOTS
  ? path.resolve(process.env.RESTOREPOINT_CONSOLE_SCREENSHOTS)
  : fs.mkdtempSync(path.join(os.tmpdir(), 'restorepoint-console-screenshots-'));

/**
 * Reloads until `text` is on the page (the console has no script: a person presses Refresh
 * too); fails as soon as one of `endings` shows instead.
 */
export async function reloadUntil(page: Page, text: string, endings: readonly string[] = ['Stage: failed', 'Stage: compensated']): Promise<void> {
  for (;;) {
    if ((await page.getByText(text, { exact: false }).count()) > 0) return;
    for (const ending of endings) {
      if ((await page.getByText(ending, { exact: false }).count()) > 0) throw new Error(`the page shows "${ending}" while waiting for "${text}": ${await page.locator('main').innerText()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    await page.reload();
  }
}

/**
 * Waits, without reloading, until `text` is on the page: the rollback page follows its event
 * stream by itself. A mark left in the document proves it was never reloaded or replaced.
 */
export async function shownByItself(page: Page, text: string, endings: readonly string[] = ['Stage: failed', 'Stage: compensated']): Promise<void> {
  await page.evaluate('window.__notReloaded = true');
  const shown = page.getByText(text, { exact: false });
  const ended = endings.map((ending) => page.getByText(ending, { exact: false }));
  await shown.or(ended.reduce((a, b) => a.or(b))).first().waitFor({ timeout: 600_000 });
  if ((await shown.count()) === 0) throw new Error(`the page shows an ending while waiting for "${text}": ${await page.locator('main').innerText()}`);
  if ((await page.evaluate('window.__notReloaded')) !== true) throw new Error(`the page was reloaded while waiting for "${text}"`);
}

/** Presses a button with the keyboard, as someone without a mouse does. */
export const press = async (page: Page, name: string): Promise<void> => page.getByRole('button', { name, exact: true }).press('Enter');

/** Checks a radio button or checkbox by its label, with the keyboard. */
export async function choose(page: Page, label: string): Promise<void> {
  await page.getByLabel(label, { exact: true }).focus();
  await page.keyboard.press('Space');
}

/** Signs in on the console's page with a fresh local-issuer token for `subject` holding `roles`. */
export async function signIn(cb: ConsoleBrowser, subject: string, roles: RolesByResource): Promise<void> {
  await cb.page.goto(`${cb.console.url}/login`);
  await cb.page.getByLabel('Token').fill(await tokenFor(subject, roles));
  await press(cb.page, 'Sign in');
  await cb.page.waitForURL('**/dashboard');
}

export async function signOut(page: Page): Promise<void> {
  await press(page, 'Sign out');
  await page.waitForURL('**/login');
}

/** Walks the wizard's first steps: source, then an export (or `at`, a point in time), then the tables checked. */
export async function chooseScope(cb: ConsoleBrowser, source: string, point: { readonly exportId: string } | { readonly at: string }, tables: readonly string[]): Promise<void> {
  const { page } = cb;
  await page.goto(`${cb.console.url}/recover/source`);
  await choose(page, source);
  await press(page, 'Next');
  await page.waitForURL('**/recover/point');
  if ('exportId' in point) {
    await choose(page, point.exportId);
  } else {
    await choose(page, 'A point in time instead (full export, deltas and the change trail, resolved by the worker)');
    await page.getByLabel('Point in time (ISO 8601 with offset, e.g. 2026-12-06T10:00:00Z)').fill(point.at);
  }
  await press(page, 'Next');
  await page.waitForURL('**/recover/scope');
  for (const table of tables) await choose(page, table);
}
