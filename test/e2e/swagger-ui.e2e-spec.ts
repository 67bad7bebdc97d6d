import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Browser, Locator, Page, chromium } from 'playwright-core';
import { commandFromDebianPackage } from '../support/debian-package';
import { freePort } from '../support/spare-services';
import { freshUserId, startTestApp, tokenFor } from '../support/test-app';

/** Debian's Chromium: playwright's own browser download does not work on these machines. */
const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of each step, for a person to look at after a run (git-ignored). */
const ARTIFACTS = join(__dirname, '../../test-artifacts/swagger-ui');

/** The live response Swagger UI shows under an operation after "Execute": its status and body. */
async function executed(operation: Locator): Promise<{ status: string; body: unknown }> {
  await operation.locator('button.execute').click();
  const response = operation.locator('.live-responses-table .response').first();
  const status = (await response.locator('.response-col_status').innerText({ timeout: 20_000 })).trim();
  const body = await response.locator('.response-col_description pre.microlight').first().innerText();
  return { status, body: JSON.parse(body) };
}

/** Opens an operation (by tag and operationId) and switches it to "Try it out". */
async function tryOut(page: Page, tag: string, operationId: string): Promise<Locator> {
  const operation = page.locator(`#operations-${tag}-${operationId}`);
  await operation.locator('.opblock-summary').first().click();
  await operation.locator('button.try-out__btn').click();
  return operation;
}

describe('Swagger UI in a real browser', () => {
  let app: INestApplication;
  let browser: Browser;
  let page: Page;
  let base: string;
  const admin = freshUserId();
  const target = freshUserId();

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) commandFromDebianPackage('chromium', 'chromium');
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing and apt-get install -y chromium did not provide it (needs root and the Debian archive)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    app = await startTestApp({ KAFKA_BROKERS: undefined });
    const port = await freePort();
    await app.listen(port, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('authorises with an admin token, then runs a follow, a read and an admin repair from the page', async () => {
    await page.goto(`${base}/docs`);
    await page.locator('.swagger-ui .info .title').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, '1-opened.png') });

    // "Authorize" with the bearer token an admin gets from `npm run token -- --user <id> --admin`.
    await page.locator('.scheme-container button.authorize').click();
    const dialog = page.locator('.modal-ux');
    await dialog.locator('input').first().fill(tokenFor(admin, { admin: true }));
    await dialog.locator('.auth-btn-wrapper button.authorize').click();
    await page.screenshot({ path: join(ARTIFACTS, '2-authorised.png') });
    await dialog.locator('button.btn-done').click();

    // A graph write: POST /follow/{userId}.
    const follow = await tryOut(page, 'follows', 'followUser');
    await follow.locator('tr[data-param-name="userId"] input').fill(target);
    expect(await executed(follow)).toEqual({ status: '200', body: { success: true, status: 'accepted', message: `You now follow user ${target}.` } });
    await follow.screenshot({ path: join(ARTIFACTS, '3-follow.png') });

    // A graph read shows it.
    const stats = await tryOut(page, 'graph', 'getStats');
    await stats.locator('tr[data-param-name="userId"] input').fill(target);
    expect(await executed(stats)).toMatchObject({ status: '200', body: { user_id: target, follower_count: 1 } });
    await stats.screenshot({ path: join(ARTIFACTS, '4-stats.png') });

    // An admin call with the same token: the counters are exact, so nothing to repair.
    const repair = await tryOut(page, 'admin', 'repairUserCounters');
    await repair.locator('tr[data-param-name="userId"] input').fill(target);
    expect(await executed(repair)).toMatchObject({ status: '200', body: { user_id: target, changed: false, after: { followers: 1 } } });
    await repair.screenshot({ path: join(ARTIFACTS, '5-admin-repair.png') });

    // The page shows the documented error examples, not one example for every status.
    const unauthorised = follow.locator('.responses-table tr.response[data-code="401"]');
    expect(await unauthorised.innerText()).toContain('UNAUTHORIZED');
    await page.screenshot({ path: join(ARTIFACTS, '6-page.png'), fullPage: true });
    // Chromium renders the whole document on a page load: minutes, not seconds, on a loaded 2-core machine.
  }, 300_000);
});
