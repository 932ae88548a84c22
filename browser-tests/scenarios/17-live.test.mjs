// Scenario 17: live updates. Two tabs of one user: a create and a completion in one show in
// the other within a few seconds, without a reload; an inline edit in progress there
// survives, with a calm notice instead; a session revoked from another device signs its
// account page out at once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertSamePage, eventually, launchBrowser, markPage, newContext, row, rowTitles, seedTasks, signUp, stats,
} from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('two tabs: a create and a completion in one show in the other; an edit in progress survives', async () => {
  const context = await newContext(browser, { live: true });
  const a = await context.newPage();
  await signUp(a);
  await seedTasks(a, [{ title: 'Already here' }, { title: 'Edit me' }]);
  const b = await context.newPage();
  await b.goto('/tasks');
  const marker = await markPage(b);

  // A create in tab A, through the quick add.
  await a.fill('#new-title', 'Made in tab A');
  await a.press('#new-title', 'Enter');
  await row(a, 'Made in tab A').waitFor();
  await eventually(async () => assert.deepEqual(await rowTitles(b), ['Made in tab A', 'Edit me', 'Already here']), { timeout: 8000 });
  await assertSamePage(b, marker, 'a change made elsewhere');
  assert.equal((await stats(b)).total, 3);
  assert.match(await b.locator('#announcer').innerText(), /change made elsewhere/);
  // Tab A does not refresh for its own change (nothing to say there).
  assert.equal(await a.locator('#live-notice').isVisible(), false, await a.locator('#live-notice').innerText());

  // A completion in tab A.
  await row(a, 'Made in tab A').locator('button[formaction$="/toggle"]').click();
  await eventually(async () => assert.match(await row(b, 'Made in tab A').getAttribute('class'), /row-done/), { timeout: 8000 });
  await eventually(async () => assert.equal((await stats(b)).done, 1));

  // An inline edit in progress in tab B is never clobbered: a notice says what waits.
  await row(b, 'Edit me').locator('a[href*="/edit"]').click();
  const editor = b.locator('#task-region [data-inline-edit]');
  await editor.waitFor();
  await editor.locator('[name=title]').fill('Edit me, typed in B');
  await a.fill('#new-title', 'Another from A');
  await a.press('#new-title', 'Enter');
  await row(a, 'Another from A').waitFor();
  const notice = b.locator('#live-notice');
  await eventually(async () => assert.match(await notice.innerText(), /1 change made elsewhere/), { timeout: 8000 });
  assert.equal(await editor.locator('[name=title]').inputValue(), 'Edit me, typed in B', 'what was typed is kept');
  // Refresh brings the list up to date (and closes the editor, as any refresh of the list does).
  await editor.locator('[data-cancel-edit]').click();
  await notice.locator('button:has-text("Refresh")').click();
  await eventually(async () => assert.ok((await rowTitles(b)).includes('Another from A')));
  assert.equal(await notice.isVisible(), false);
  await assertSamePage(b, marker, 'the live refresh');
  context.problems.assertNone('two live tabs');
  await context.close();
});

test('the account page signs out at once when its session is revoked from another device', async () => {
  const laptop = await newContext(browser, { live: true });
  const page = await laptop.newPage();
  const email = await signUp(page);
  const phoneContext = await newContext(browser, { live: true });
  const phone = await phoneContext.newPage();
  await phone.goto('/login');
  await phone.fill('#email', email);
  await phone.fill('#password', 'correct horse battery staple');
  await Promise.all([phone.waitForURL((u) => u.pathname === '/tasks'), phone.click('button[type=submit]:has-text("Sign in")')]);
  await phone.goto('/account');
  await page.goto('/account');
  page.once('dialog', (dialog) => dialog.accept());
  await page.click('button:has-text("Sign out everywhere else")');
  await phone.waitForURL((u) => u.pathname === '/login', { timeout: 8000 });
  assert.equal(new URL(phone.url()).searchParams.get('next'), '/account');
  assert.equal(new URL(page.url()).pathname, '/account', 'the browser that did it stays');
  await phoneContext.close();
  await laptop.close();
});
