// Scenario 18: recurring tasks. A task made to repeat shows it in its row; completing it
// brings the next occurrence into the table, due one period later, with JavaScript on (in
// place) and off (through the form and a redirect).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DESKTOP, MOBILE, SCHEMES, announced, assertSamePage, clearAnnouncer, daysFromNow, eventually, launchBrowser, markPage,
  moreOptions, newContext, row, rowTitles, screenshot, settled, signUp,
} from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('completing a weekly task brings the next one in place', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page);
  await page.locator('[data-state=empty-none]').waitFor();
  const marker = await markPage(page);

  // Repeating without a due date is refused in place, with the choice kept.
  await page.fill('#create-form [name=title]', 'Water the plants');
  await moreOptions(page);
  await page.selectOption('#create [name=repeat]', 'weekly');
  await page.click('#create-form button:has-text("Add task")');
  await page.locator('#create .field-error', { hasText: 'A repeating task needs a due date.' }).waitFor();
  assert.equal(await page.inputValue('#create [name=repeat]'), 'weekly');

  await page.fill('#create [name=due_date]', daysFromNow(2));
  await page.click('#create-form button:has-text("Add task")');
  await row(page, 'Water the plants').waitFor();
  await settled(page);
  const mark = row(page, 'Water the plants').locator('.repeat');
  assert.equal(await mark.getAttribute('aria-label'), 'Repeats weekly');

  await clearAnnouncer(page);
  await row(page, 'Water the plants').locator('button[formaction$="/toggle"]').click();
  await eventually(async () => assert.equal((await rowTitles(page)).length, 2));
  await settled(page);
  assert.match(await announced(page), /next one is due/i);
  const next = page.locator(`#task-region tr:not(.row-done) time[datetime="${daysFromNow(9)}"]`);
  assert.equal(await next.count(), 1, 'the next one is open and due a week later');
  assert.equal(await page.locator('#task-region tr.row-done').count(), 1, 'the first one is done');
  await assertSamePage(page, marker, 'completing a repeating task');

  // The rows with their repeat mark, on a wide screen and a phone, light and dark.
  for (const viewport of [DESKTOP, MOBILE]) {
    await page.setViewportSize(viewport);
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      await settled(page);
      await screenshot(page, `recurring-${scheme}`);
    }
  }
  context.problems.assertNone('the recurring tasks\' pages');
  await context.close();
});

test('without JavaScript, a monthly task comes back on the month\'s last day', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await signUp(page);
  await page.locator('[data-state=empty-none]').waitFor();

  await page.fill('#create-form [name=title]', 'Pay rent');
  await moreOptions(page);
  await page.fill('#create [name=due_date]', '2027-01-31');
  await page.selectOption('#create [name=repeat]', 'monthly');
  await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), page.click('#create-form button:has-text("Add task")')]);
  await row(page, 'Pay rent').waitFor();
  assert.equal(await row(page, 'Pay rent').locator('.repeat').getAttribute('aria-label'), 'Repeats monthly');

  await Promise.all([
    page.waitForURL((u) => u.pathname === '/tasks'),
    row(page, 'Pay rent').locator('button[formaction$="/toggle"]').click(),
  ]);
  await page.waitForLoadState('load');
  assert.match(await page.locator('.flash[role=status]').innerText(), /next one is due Feb 28, 2027/);
  assert.deepEqual(await rowTitles(page), ['Pay rent', 'Pay rent']);
  assert.equal(await page.locator('#task-region tr:not(.row-done) time[datetime="2027-02-28"]').count(), 1);
  context.problems.assertNone('the recurring tasks\' pages without JavaScript');
  await context.close();
});
