// Scenario 15: interaction details (issue 14, items 7, 13 and 14).
// - A session that ends under typed work: the sign-in page says why, comes back to the same
//   view, and the form is restored (create with JS on and off, inline edit with JS on); nothing
//   is saved until the user saves it again.
// - Error pages keep the app header when signed in; an unreadable view falls back visibly.
// - Sign-up refuses malformed emails; "already exists" is announced, focused, keeps the email
//   and offers a real "Sign in instead" link (driven from the keyboard); signed-in visits to
//   /login and /signup go to the tasks.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  MOBILE, PASSWORD, SCHEMES, axe, launchBrowser, moreOptions, newContext, row, rowTitles,
  revokeElsewhere, screenshot, seedTasks, signIn, signUp, stats, uniqueEmail,
} from '../lib/browser.mjs';

const ENDED = 'Your session ended; sign in to continue.';
const KEPT = 'We kept what you typed: check it and save.';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function assertEndedSignIn(page, next) {
  await page.waitForURL((u) => u.pathname === '/login', { timeout: 10_000 });
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('next'), next, 'next= is the view the user was on');
  assert.equal((await page.locator('#login-notice').innerText()).trim(), ENDED);
}

for (const javaScriptEnabled of [true, false]) {
  const js = javaScriptEnabled ? 'JS on' : 'JS off';
  test(`an add after the session ended is kept through sign-in (${js})`, async () => {
    const context = await newContext(browser, { javaScriptEnabled });
    const page = await context.newPage();
    const email = await signUp(page);
    await seedTasks(page, [{ title: 'Open one', priority: 'low' }]);
    await page.goto('/tasks?status=open');
    await revokeElsewhere(browser, context, page);

    await page.fill('#create-form [name=title]', 'Typed after the end');
    if (javaScriptEnabled) await moreOptions(page);
    else await page.locator('#create details.create-options summary').click();
    await page.fill('#new-description', 'Notes that must not be lost');
    await page.selectOption('#new-priority', 'high');
    await page.click('#create-form button:has-text("Add task")');
    await assertEndedSignIn(page, '/tasks?status=open');
    await Promise.all([page.waitForURL((u) => u.pathname === '/tasks' && u.search === '?status=open'), signIn(page, email)]);

    assert.equal(await page.inputValue('#new-title'), 'Typed after the end');
    assert.equal(await page.inputValue('#new-description'), 'Notes that must not be lost');
    assert.equal(await page.inputValue('#new-priority'), 'high');
    assert.match(await page.locator('.flash').innerText(), /We kept what you typed/);
    assert.equal((await stats(page)).total, 1, 'nothing saved before the user saves it');
    await page.click('#create-form button:has-text("Add task")');
    await page.waitForFunction(() => document.querySelectorAll('#task-region [data-task-title], #task-region tbody tr').length > 0);
    await page.waitForFunction(() => document.body.innerText.includes('Typed after the end') && !document.querySelector('#new-title')?.value);
    assert.equal((await stats(page)).total, 2);
    context.problems.assertNone(`the kept add (${js})`);
    await context.close();
  });
}

test('an inline edit after the session ended comes back to its edit page as typed (JS on)', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  const email = await signUp(page);
  await seedTasks(page, [{ title: 'Before edit' }]);
  await row(page, 'Before edit').locator('a[href*="/edit"]').click();
  const title = page.locator('#task-region input[name=title]');
  await title.fill('After edit');
  await revokeElsewhere(browser, context, page);
  await page.locator('#task-region button:has-text("Save")').click();
  await page.waitForURL((u) => u.pathname === '/login');
  const next = new URL(page.url()).searchParams.get('next');
  assert.match(next, /^\/tasks\/\d+\/edit\?view=/);
  assert.equal((await page.locator('#login-notice').innerText()).trim(), ENDED);
  await Promise.all([page.waitForURL((u) => u.pathname.endsWith('/edit')), signIn(page, email)]);
  assert.equal(await page.inputValue('input[name=title]'), 'After edit');
  assert.match(await page.locator('.flash').innerText(), /We kept what you typed/);
  await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), page.click('button:has-text("Save")')]);
  assert.deepEqual(await rowTitles(page), ['After edit']);
  context.problems.assertNone('the kept edit');
  await context.close();
});

test('error pages keep the header; an unreadable view falls back with a message', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  context.problems.allow(/status of 404/);
  const email = await signUp(page);
  await seedTasks(page, [{ title: 'Visible anyway' }]);
  const res = await page.goto('/no-such-page');
  assert.equal(res.status(), 404);
  assert.equal(await page.locator('header.nav').count(), 1);
  assert.match(await page.locator('header.nav').innerText(), /Account/);
  assert.equal(await page.locator('header.nav button:has-text("Sign out")').count(), 1);
  assert.ok((await page.locator('header.nav').innerHTML()).includes(email));
  await axe(page, 'the signed-in 404');

  const view = await page.goto('/tasks?size=1000&after=garbage');
  assert.equal(view.status(), 200);
  const notice = await page.locator('[data-ignored-view]').innerText();
  assert.match(notice, /Page size must be/);
  assert.match(notice, /page link is not valid/);
  assert.deepEqual(await rowTitles(page), ['Visible anyway']);
  await axe(page, 'the fallen-back view');
  // With htmx, a filter change from there swaps in the canonical view.
  await page.selectOption('#filters select[name=status]', 'open');
  await page.waitForURL((u) => !u.search.includes('size=1000'));
  assert.equal(await page.locator('[data-ignored-view]').count(), 0);
  context.problems.assertNone('the error pages');
  await context.close();
});

for (const javaScriptEnabled of [true, false]) {
  const js = javaScriptEnabled ? 'JS on' : 'JS off';
  test(`sign-up: a taken email is announced and focused, with a link to sign in (keyboard, ${js})`, async () => {
    const context = await newContext(browser, { javaScriptEnabled });
    const page = await context.newPage();
    const email = await signUp(page);
    await page.goto('/signup');
    assert.equal(new URL(page.url()).pathname, '/tasks', 'signed in: /signup goes to the tasks');
    await page.click('button:has-text("Sign out")');
    await page.waitForURL((u) => u.pathname === '/login');

    await page.goto('/signup');
    await page.locator('#email').focus();
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#signup-error');
    await page.waitForFunction(() => document.activeElement?.id === 'signup-error');
    assert.equal(await page.locator('#signup-error').getAttribute('role'), 'alert');
    assert.match(await page.locator('#signup-error').innerText(), /already exists[\s\S]*enter your password again/i);
    assert.equal(await page.inputValue('#email'), email, 'the email is kept');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Sign in instead');
    await Promise.all([page.waitForURL((u) => u.pathname === '/login'), page.keyboard.press('Enter')]);
    assert.equal(await page.inputValue('#email'), email, 'sign-in has the email filled in');
    context.problems.assertNone(`the taken email (${js})`);
    await context.close();
  });
}

test('sign-up refuses two @ and a 180-character label; signed-in visits to /login and /signup go to the tasks', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  for (const bad of ['a@b...@example.com', `ada@${'a'.repeat(180)}.com`]) {
    await page.goto('/signup');
    // The browser's own type=email check is bypassed: the server is the one that must refuse.
    await page.locator('#email').evaluate((el) => { el.type = 'text'; });
    await page.fill('#email', bad);
    await page.fill('#password', PASSWORD);
    await page.fill('#password_confirm', PASSWORD);
    await page.click('button:has-text("Create account")');
    await page.waitForSelector('#email-error');
    assert.match(await page.locator('#email-error').innerText(), /Enter an email address/);
  }
  await signUp(page, uniqueEmail('visit'));
  for (const path of ['/login', '/signup']) {
    await page.goto(path);
    assert.equal(new URL(page.url()).pathname, '/tasks', path);
  }
  context.problems.assertNone('the sign-up rules');
  await context.close();
});

test('screenshots and axe: the new notices, 375 and 1280, light and dark', async () => {
  for (const colorScheme of SCHEMES) {
    for (const viewport of [MOBILE, { width: 1280, height: 900 }]) {
      const context = await newContext(browser, { colorScheme, viewport });
      context.problems.allow(/status of 404/);
      const page = await context.newPage();
      const email = await signUp(page);
      await seedTasks(page, [{ title: 'Write the report', priority: 'high' }]);
      await page.goto('/tasks?size=1000');
      await axe(page, `ignored view (${colorScheme})`);
      await screenshot(page, `issue14-ignored-view-${colorScheme}`, { fullPage: false });
      await page.goto('/no-such-page');
      await screenshot(page, `issue14-404-signed-in-${colorScheme}`, { fullPage: false });
      await page.goto('/tasks');
      await page.fill('#create-form [name=title]', 'Typed after the end');
      await revokeElsewhere(browser, context, page);
      await page.click('#create-form button:has-text("Add task")');
      await page.waitForSelector('#login-notice');
      await axe(page, `session ended sign-in (${colorScheme})`);
      await screenshot(page, `issue14-session-ended-${colorScheme}`, { fullPage: false });
      await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), signIn(page, email)]);
      await axe(page, `kept draft (${colorScheme})`);
      await screenshot(page, `issue14-kept-draft-${colorScheme}`, { fullPage: false });
      await page.click('button:has-text("Sign out")');
      await page.waitForURL((u) => u.pathname === '/login');
      await page.goto('/signup');
      await page.fill('#email', email);
      await page.fill('#password', PASSWORD);
      await page.fill('#password_confirm', PASSWORD);
      await page.click('button:has-text("Create account")');
      await page.waitForSelector('#signup-error');
      await axe(page, `taken email (${colorScheme})`);
      await screenshot(page, `issue14-signup-taken-${colorScheme}`, { fullPage: false });
      context.problems.assertNone(`the notices (${colorScheme})`);
      await context.close();
    }
  }
});
