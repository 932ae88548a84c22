// Scenario 22 (issue 20): undo. A delete (a row's, or a bulk delete) moves tasks to the
// trash; right after, with JavaScript a toast says "Deleted “X”." with an Undo button
// (Tab reaches it, `u` presses it; the message is announced) for about ten seconds, and
// without JavaScript the message after the redirect carries an Undo button. Undo brings
// back everything the delete took.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  SCHEMES, announced, assertSamePage, axe, clearAnnouncer, eventually, launchBrowser, markPage, newContext, row,
  rowTitles, screenshot, seedTasks, selectRows, settled, signUp, stats,
} from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const sorted = (titles) => [...titles].sort();

test('with JavaScript: a toast offers Undo after a delete, by click or by `u`', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page);
  await seedTasks(page, [{ title: 'Alpha' }, { title: 'Bravo', tags: 'keep' }, { title: 'Charlie' }]);
  const marker = await markPage(page);
  page.on('dialog', (d) => d.accept());

  // One row: the toast, announced, with a button that brings it back.
  await clearAnnouncer(page);
  await row(page, 'Bravo').locator('a[href*="/delete"]').click();
  const toast = page.locator('#toast');
  await toast.locator('[data-undo]').waitFor();
  assert.match(await toast.innerText(), /Deleted “Bravo”\./);
  assert.match(await announced(page), /Deleted “Bravo”\./);
  assert.deepEqual(sorted(await rowTitles(page)), ['Alpha', 'Charlie']);
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForFunction(() => !document.getAnimations().some((a) => a.playState === 'running'));
    await axe(page, `the undo toast (${scheme})`);
    await screenshot(page, `undo-toast-${scheme}`, { fullPage: false });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await toast.locator('[data-undo]').click();
  await row(page, 'Bravo').waitFor();
  await settled(page);
  assert.match(await announced(page), /Restored “Bravo”\./);
  assert.deepEqual(await row(page, 'Bravo').locator('.tags a').allInnerTexts(), ['#keep']);
  assert.equal(await toast.evaluate((t) => t.childElementCount), 0, 'the toast is gone once used');
  assert.equal((await stats(page)).total, 3);

  // A bulk delete: one Undo brings all of it back; the keyboard's `u` presses it.
  await selectRows(page, ['Alpha', 'Charlie']);
  await page.locator('#bulk-form button[value=delete]').click();
  await toast.locator('[data-undo]').waitFor();
  assert.match(await toast.innerText(), /Deleted 2 tasks\./);
  assert.deepEqual(await rowTitles(page), ['Bravo']);
  await page.locator('body').focus();
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press('u');
  await row(page, 'Alpha').waitFor();
  await row(page, 'Charlie').waitFor();
  await settled(page);
  assert.equal((await stats(page)).total, 3);
  await assertSamePage(page, marker, 'delete and undo');

  // Left alone, the toast goes after about ten seconds.
  await row(page, 'Charlie').locator('a[href*="/delete"]').click();
  await toast.locator('[data-undo]').waitFor();
  await eventually(async () => assert.equal(await toast.evaluate((t) => t.childElementCount), 0), { timeout: 15_000, interval: 250 });
  context.problems.assertNone('undo with JavaScript');
  await context.close();
});

test('without JavaScript: the message after a delete carries an Undo button', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await signUp(page);
  await seedTasks(page, [{ title: 'Alpha' }, { title: 'Bravo' }]);
  await row(page, 'Bravo').locator('a[href*="/delete"]').click();
  await page.waitForURL((u) => u.pathname.endsWith('/delete'));
  await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), page.click('button:has-text("Delete task")')]);
  const flash = page.locator('.flash');
  assert.match(await flash.innerText(), /Deleted “Bravo”\./);
  assert.deepEqual(await rowTitles(page), ['Alpha']);
  await screenshot(page, 'nojs-undo-flash-light');
  await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), flash.locator('button:has-text("Undo")').click()]);
  assert.match(await page.locator('.flash').innerText(), /Restored “Bravo”\./);
  assert.deepEqual(sorted(await rowTitles(page)), ['Alpha', 'Bravo']);
  context.problems.assertNone('undo without JavaScript');
  await context.close();
});

test('the trash page restores a task and deletes one forever, after asking', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page);
  await seedTasks(page, [{ title: 'Alpha' }, { title: 'Bravo' }, { title: 'Charlie' }]);
  page.on('dialog', (d) => d.accept());
  for (const title of ['Bravo', 'Charlie']) {
    await row(page, title).locator('a[href*="/delete"]').click();
    await page.locator('#toast [data-undo]').waitFor();
    await settled(page);
  }
  await Promise.all([page.waitForURL('**/tasks/trash'), page.click('a:has-text("Trash")')]);
  const trash = page.locator('[data-trash] [data-trashed-title]');
  assert.deepEqual(sorted(await trash.allInnerTexts()), ['Bravo', 'Charlie']);
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForFunction(() => !document.getAnimations().some((a) => a.playState === 'running'));
    await axe(page, `the trash page (${scheme})`);
    await screenshot(page, `trash-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });

  await Promise.all([page.waitForLoadState('load'), page.locator('[data-trash] li', { hasText: 'Bravo' }).locator('button:has-text("Restore")').click()]);
  assert.match(await page.locator('.flash').innerText(), /Restored “Bravo”/);
  assert.deepEqual(await trash.allInnerTexts(), ['Charlie']);

  await Promise.all([page.waitForLoadState('load'), page.locator('[data-trash] li', { hasText: 'Charlie' }).locator('button:has-text("Delete forever")').click()]);
  assert.match(await page.locator('h1').innerText(), /Delete “Charlie” forever\?/);
  await axe(page, 'the delete forever confirmation');
  await Promise.all([page.waitForURL('**/tasks/trash'), page.click('main button:has-text("Delete forever")')]);
  assert.match(await page.locator('.flash').innerText(), /Deleted for good/);
  await page.locator('[data-state=trash-empty]').waitFor();

  await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), page.click('a:has-text("Back to your tasks")')]);
  assert.deepEqual(sorted(await rowTitles(page)), ['Alpha', 'Bravo']);
  context.problems.assertNone('the trash page');
  await context.close();
});
