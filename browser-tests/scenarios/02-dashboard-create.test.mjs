// Scenario 1: sign up, land on the dashboard, see "no tasks yet"; create a task and see the
// row appear and the stats change without a page load.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertSamePage, assertStrictCsp, daysFromNow, eventually, launchBrowser, markPage, moreOptions, newContext, row, rowTitles,
  screenshot, settled, signUp, stats,
} from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('a new account sees "no tasks yet", then creates tasks in place', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page);

  const empty = page.locator('#task-region [data-state=empty-none]');
  await empty.waitFor();
  assert.match(await empty.innerText(), /no tasks yet/i);
  assert.ok(await page.locator('#create-form').isVisible(), 'the create form is at hand');
  assert.deepEqual(await stats(page), { total: 0, open: 0, done: 0, overdue: 0 });
  await screenshot(page, 'dashboard-empty-light');

  const marker = await markPage(page);

  // An invalid title (only spaces) is refused in place, with the other input kept.
  await page.fill('#create-form [name=title]', '   ');
  await moreOptions(page);
  await page.fill('#create [name=description]', 'kept after the error');
  await page.click('#create-form button:has-text("Add task")');
  await page.locator('#create-form .field-error').waitFor();
  assert.equal(await page.inputValue('#create [name=description]'), 'kept after the error');
  assert.equal(await page.locator('#create details.create-options[open]').count(), 1, 'what was typed stays in sight');
  await assertSamePage(page, marker, 'an invalid create');
  assert.equal((await stats(page)).total, 0);

  await page.fill('#create-form [name=title]', 'Write the quarterly report');
  await page.fill('#create [name=description]', 'Numbers from finance first');
  await page.selectOption('#create [name=priority]', 'high');
  await page.fill('#create [name=due_date]', daysFromNow(7));
  await page.click('#create-form button:has-text("Add task")');

  await row(page, 'Write the quarterly report').waitFor();
  await settled(page);
  await eventually(async () => assert.deepEqual(await stats(page), { total: 1, open: 1, done: 0, overdue: 0 }));
  assert.equal(await empty.count(), 0, 'the empty state is gone');
  assert.match(await row(page, 'Write the quarterly report').locator('[class^="badge-"]').innerText(), /high/i);
  assert.equal(await page.locator('#create-form .field-error').count(), 0, 'the error message is cleared');
  assert.equal(await page.inputValue('#create-form [name=title]'), '', 'the form is reset for the next task');
  assert.equal(await page.locator('#create details.create-options[open]').count(), 0, '"More options" folds away again');
  await assertSamePage(page, marker, 'creating a task');
  assert.equal(new URL(page.url()).pathname, '/tasks');

  // A second, overdue one lands on top (newest first) and counts as overdue.
  await page.fill('#create-form [name=title]', 'Renew the passport');
  await moreOptions(page);
  await page.fill('#create [name=due_date]', daysFromNow(-3));
  await page.click('#create-form button:has-text("Add task")');
  await row(page, 'Renew the passport').waitFor();
  await settled(page);
  await eventually(async () => assert.deepEqual(await stats(page), { total: 2, open: 2, done: 0, overdue: 1 }));
  assert.deepEqual(await rowTitles(page), ['Renew the passport', 'Write the quarterly report']);
  await assertSamePage(page, marker, 'creating a second task');

  // User text is shown as text, never as markup.
  await page.fill('#create-form [name=title]', '<img src=x onerror=alert(1)> & <b>bold</b>');
  await page.click('#create-form button:has-text("Add task")');
  await row(page, '<img src=x onerror=alert(1)> & <b>bold</b>').waitFor();
  assert.equal(await page.locator('#task-region img[src=x], #task-region .task-title b').count(), 0);

  // What was created is really stored: a full reload shows the same.
  assertStrictCsp(await page.reload(), '/tasks');
  assert.deepEqual((await rowTitles(page)).slice(1), ['Renew the passport', 'Write the quarterly report']);
  await screenshot(page, 'dashboard-few');
  context.problems.assertNone('the dashboard');
  await context.close();
});
