// Scenario 6: the session ends while the dashboard is open (signed out in another tab, revoked
// elsewhere, or expired): the next htmx action lands on the sign-in page (a full page, never
// inside the table), and signing in brings the user back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  launchBrowser, newContext, revokeElsewhere, row, rowTitles, seedTasks, signIn, signUp, stats,
} from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function assertOnLoginPage(page, nextPrefix = '/tasks') {
  await page.waitForURL((u) => u.pathname === '/login', { timeout: 10_000 });
  await page.waitForLoadState('load');
  const next = new URL(page.url()).searchParams.get('next');
  assert.ok(next?.startsWith(nextPrefix), `next= points back at the dashboard (${page.url()})`);
  assert.equal(await page.locator('#task-region').count(), 0, 'the login page is a full page, not inside the table');
  assert.equal(await page.locator('form#login-form').count(), 1);
  assert.equal(await page.locator('h1').count(), 1);
  assert.equal(await page.inputValue('input[name=next]'), next);
}

async function setUp() {
  const context = await newContext(browser);
  // The signed-out htmx request is answered 401 with HX-Redirect (the spec's answer), which
  // Chromium logs as a failed resource.
  context.problems.allow(/Failed to load resource: the server responded with a status of 401/);
  const page = await context.newPage();
  const email = await signUp(page);
  await seedTasks(page, [{ title: 'Low one', priority: 'low' }, { title: 'High one', priority: 'high' }]);
  return { context, page, email };
}

test('signed out in another tab: the next filter goes to sign-in, and back after', async () => {
  const { context, page, email } = await setUp();
  await page.selectOption('#filters select[name=priority]', 'high');
  await page.waitForURL(/priority=high/);

  const other = await context.newPage();
  await other.goto('/tasks');
  await other.click('button:has-text("Sign out")');
  await other.waitForURL((u) => u.pathname === '/login');
  await other.close();

  await page.selectOption('#filters select[name=status]', 'open');
  await assertOnLoginPage(page);
  await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), signIn(page, email)]);
  assert.deepEqual(await rowTitles(page), ['High one'], 'back on the view the user was on');
  context.problems.assertNone('the session pages');
  await context.close();
});

test('revoked from another device while the cookie is still held: a toggle goes to sign-in and changes nothing', async () => {
  const { context, page, email } = await setUp();
  await revokeElsewhere(browser, context, page);

  await row(page, 'Low one').locator('button[formaction$="/toggle"]').click();
  await assertOnLoginPage(page);
  await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), signIn(page, email)]);
  assert.equal((await stats(page)).done, 0, 'the toggle sent with a revoked session did nothing');
  context.problems.assertNone('the session pages');
  await context.close();
});

test('the sign-in cookie expired: a create goes to sign-in, not an error', async () => {
  const { context, page, email } = await setUp();
  const cookies = await context.cookies();
  const jwt = cookies.find((c) => /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(c.value));
  assert.ok(jwt, `a cookie holds the JWT: ${cookies.map((c) => c.name)}`);
  await context.clearCookies({ name: jwt.name });

  await page.fill('#create-form [name=title]', 'Written after expiry');
  await page.click('#create-form button:has-text("Add task")');
  await assertOnLoginPage(page);
  await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), signIn(page, email)]);
  assert.equal((await stats(page)).total, 2);
  context.problems.assertNone('the session pages');
  await context.close();
});

test('all cookies cleared: sorting goes to sign-in', async () => {
  const { context, page, email } = await setUp();
  await context.clearCookies();
  await page.locator('#task-region a[data-sort=title]').click();
  await assertOnLoginPage(page);
  await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), signIn(page, email)]);
  assert.equal((await rowTitles(page)).length, 2);
  context.problems.assertNone('the session pages');
  await context.close();
});
