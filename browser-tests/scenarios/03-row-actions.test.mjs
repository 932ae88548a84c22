// Scenario 2: inline edit, toggle, delete (with the confirmation), bulk complete; each updates
// in place (no page load) and the result is announced in #announcer.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  announced, assertSamePage, clearAnnouncer, eventually, launchBrowser, markPage, newContext, row,
  rowTitles, screenshot, seedTasks, selectRows, settled, signUp, stats,
} from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('edit, toggle, delete and bulk actions update in place and are announced', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page);
  await seedTasks(page, [
    { title: 'Book the venue', priority: 'high' },
    { title: 'Order the cake', priority: 'low' },
    { title: 'Send invitations' },
    { title: 'Buy balloons' },
  ]);
  assert.equal((await stats(page)).total, 4);
  const marker = await markPage(page);

  // Inline edit: the row becomes a form; Cancel (and Escape) put it back unchanged.
  await row(page, 'Order the cake').locator('a[href*="/edit"]').click();
  const form = page.locator('#task-region form[data-inline-edit]');
  await form.waitFor();
  await form.locator('[name=title]').fill('this will be thrown away');
  await form.locator('[data-cancel-edit]').click();
  await row(page, 'Order the cake').waitFor();
  await eventually(async () => assert.equal(await form.count(), 0));

  await row(page, 'Order the cake').locator('a[href*="/edit"]').click();
  await form.waitFor();
  assert.equal(await form.locator('[name=title]').inputValue(), 'Order the cake', 'the form holds the current title');
  await screenshot(page, 'dashboard-inline-edit');
  await form.locator('[name=title]').press('Escape');
  await eventually(async () => assert.equal(await form.count(), 0, 'Escape cancels the edit'));

  await row(page, 'Order the cake').locator('a[href*="/edit"]').click();
  await form.waitFor();
  // An invalid edit keeps the form open with the error.
  await form.locator('[name=title]').fill('   ');
  await form.locator('button:has-text("Save")').click();
  await form.locator('.field-error').waitFor();
  await form.locator('[name=title]').fill('Order the chocolate cake');
  await form.locator('[name=priority]').selectOption('high');
  await clearAnnouncer(page);
  await form.locator('button:has-text("Save")').click();
  await row(page, 'Order the chocolate cake').waitFor();
  assert.match(await row(page, 'Order the chocolate cake').locator('[class^="badge-"]').innerText(), /high/i);
  assert.ok((await announced(page)).length > 0);
  await assertSamePage(page, marker, 'an inline edit');

  // Toggle: complete, then reopen.
  await clearAnnouncer(page);
  await row(page, 'Book the venue').locator('button[formaction$="/toggle"]').click();
  await eventually(async () => assert.equal((await stats(page)).done, 1));
  const doneText = await announced(page);
  await settled(page);
  await clearAnnouncer(page);
  await row(page, 'Book the venue').locator('button[formaction$="/toggle"]').click();
  await eventually(async () => assert.equal((await stats(page)).done, 0));
  const reopenText = await announced(page);
  assert.notEqual(doneText, reopenText, 'completing and reopening are announced differently');
  await assertSamePage(page, marker, 'a toggle');
  await settled(page);

  // Delete asks first; dismissing keeps the task, accepting deletes it.
  let asked = 0;
  page.once('dialog', (d) => { asked += 1; d.dismiss(); });
  await row(page, 'Buy balloons').locator('a[href*="/delete"]').click();
  await eventually(async () => assert.equal(asked, 1, 'delete asked for confirmation'));
  await page.waitForTimeout(300);
  assert.equal(await row(page, 'Buy balloons').count(), 1, 'dismissing the confirmation keeps the task');

  await clearAnnouncer(page);
  page.once('dialog', (d) => { asked += 1; d.accept(); });
  await row(page, 'Buy balloons').locator('a[href*="/delete"]').click();
  await eventually(async () => assert.equal(await row(page, 'Buy balloons').count(), 0));
  assert.equal(asked, 2);
  await eventually(async () => assert.equal((await stats(page)).total, 3));
  await announced(page);
  await assertSamePage(page, marker, 'a delete');
  await settled(page);

  // Bulk: complete two, then reopen one of them.
  await selectRows(page, ['Book the venue', 'Send invitations']);
  await clearAnnouncer(page);
  await page.click('#bulk-form button[name=action][value=complete], button[form=bulk-form][name=action][value=complete]');
  await eventually(async () => assert.deepEqual(await stats(page), { total: 3, open: 1, done: 2, overdue: 0 }));
  await announced(page);
  await settled(page);
  assert.equal(await page.locator('input[name=ids]:checked').count(), 0, 'the selection is cleared after the action');

  await selectRows(page, ['Send invitations']);
  await clearAnnouncer(page);
  await page.click('#bulk-form button[name=action][value=reopen], button[form=bulk-form][name=action][value=reopen]');
  await eventually(async () => assert.equal((await stats(page)).done, 1));
  await announced(page);
  await settled(page);
  await assertSamePage(page, marker, 'a bulk action');

  // Everything above is stored.
  await page.reload();
  assert.deepEqual((await rowTitles(page)).sort(), ['Book the venue', 'Order the chocolate cake', 'Send invitations']);
  assert.deepEqual(await stats(page), { total: 3, open: 2, done: 1, overdue: 0 });
  context.problems.assertNone('the dashboard');
  await context.close();
});
