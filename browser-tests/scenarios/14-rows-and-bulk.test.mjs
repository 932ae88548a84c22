// Issue 14's interaction details: "Select all" (a checkbox with JS, a link without), bulk
// actions with nothing selected and a bulk delete that asks with the count (both modes),
// acting on a task deleted in another tab (the list stays, a calm notice, typed text kept),
// and two inline editors open at once (saving one keeps the other). Screenshots of the new
// controls at 1280 and 375 px, light and dark; axe on each new state.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DESKTOP, MOBILE, SCHEMES, announced, assertNoHorizontalScroll, assertSamePage, axe, clearAnnouncer, eventually,
  launchBrowser, markPage, newContext, row, rowTitles, screenshot, seedTasks, settled, signUp, stats,
} from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const TASKS = [{ title: 'Water the plants' }, { title: 'Call the plumber' }, { title: 'Renew passport' }, { title: 'File expenses' }];

// What another tab does: a plain POST with this browser's cookie, CSRF token and Origin.
async function elsewhere(page, path) {
  const csrf = await page.locator('input[name=csrf_token]').first().inputValue();
  const res = await page.request.post(path, { form: { csrf_token: csrf }, headers: { Origin: new URL(page.url()).origin }, maxRedirects: 0 });
  assert.ok(res.status() < 400, `${path} answered ${res.status()}`);
}
const idOf = (page, title) => row(page, title).getAttribute('id').then((id) => id && id.slice('task-'.length));
const ticked = (page) => page.locator('input[name=ids][form=bulk-form]:checked').count();

test('with JavaScript: select all, nothing selected, the counted delete, a task deleted elsewhere, two editors', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page);
  await seedTasks(page, TASKS);
  const marker = await markPage(page);

  // Select all, by keyboard: the checkbox at the start of the bar (the link is for no-JS).
  const all = page.locator('#bulk-form input[data-select-all]');
  assert.ok(await all.isVisible(), 'the select-all checkbox shows');
  assert.equal(await page.locator('#bulk-form a[data-select-all-link]').isVisible(), false, 'its no-JS link does not');
  await all.focus();
  await page.keyboard.press('Space');
  assert.equal(await ticked(page), 4, 'Space on "Select all" ticks every row');
  assert.match(await page.locator('#bulk-count').innerText(), /4 selected/);
  await row(page, 'Renew passport').locator('input[name=ids]').uncheck();
  assert.equal(await all.evaluate((el) => el.indeterminate), true, 'some ticked: mixed');
  await all.focus();
  await page.keyboard.press('Space');
  assert.equal(await ticked(page), 4);
  await page.keyboard.press('Space');
  assert.equal(await ticked(page), 0, 'and Space again clears them');

  // Nothing selected: a visible message, no request, nothing changed.
  let requests = 0;
  page.on('request', (r) => { if (r.url().endsWith('/tasks/bulk')) requests += 1; });
  await page.click('#bulk-form button[value=complete]');
  const message = page.locator('#bulk-message');
  await eventually(async () => assert.match(await message.innerText(), /select at least one task/i));
  assert.ok(await message.isVisible(), 'shown, not only announced');
  assert.equal(requests, 0, 'nothing was sent');
  for (const { width, height } of [DESKTOP, MOBILE]) {
    await page.setViewportSize({ width, height });
    await assertNoHorizontalScroll(page, `bulk bar at ${width}`);
    const bar = await page.locator('#bulk-form').boundingBox();
    const buttons = await page.locator('#bulk-form button').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
    assert.ok(buttons.every((t) => Math.abs(t - buttons[0]) < 2) && bar.height < 60, `the bulk bar stays on one line at ${width}`);
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme });
    await settled(page);
      await screenshot(page, `bulk-bar-nothing-selected-${colorScheme}`, { fullPage: false });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(DESKTOP);
  await row(page, 'Water the plants').locator('input[name=ids]').check();
  assert.equal(await message.innerText(), '', 'ticking a box clears the message');

  // The bulk delete asks with the count; dismissing keeps everything.
  await row(page, 'Call the plumber').locator('input[name=ids]').check();
  let question = '';
  page.once('dialog', (d) => { question = d.message(); d.dismiss(); });
  await page.click('#bulk-form button[value=delete]');
  await eventually(async () => assert.equal(question, 'Delete 2 selected tasks? You can undo this right after.'));
  await page.waitForTimeout(200);
  assert.equal((await rowTitles(page)).length, 4);

  // A bulk action on a task deleted in another tab acts on the rest and says so.
  await elsewhere(page, `/tasks/${await idOf(page, 'Call the plumber')}/delete`);
  await clearAnnouncer(page);
  await page.click('#bulk-form button[value=complete]');
  const notice = page.locator('#task-region [data-notice]');
  await eventually(async () => assert.match(await notice.innerText(), /Marked 1 task as done\. 1 task was already deleted elsewhere\./));
  assert.deepEqual(await stats(page), { total: 3, open: 2, done: 1, overdue: 0 }, 'fresh stats');
  await settled(page);

  // Toggling a task deleted in another tab: the list stays, refreshed, with a calm notice.
  await elsewhere(page, `/tasks/${await idOf(page, 'Renew passport')}/delete`);
  await row(page, 'Renew passport').locator('button[formaction$="/toggle"]').click();
  await eventually(async () => assert.match(await notice.innerText(), /This task was deleted elsewhere/));
  await settled(page);
  assert.deepEqual((await rowTitles(page)).sort(), ['File expenses', 'Water the plants']);
  assert.equal((await stats(page)).total, 2);
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await settled(page);
    await axe(page, `the "deleted elsewhere" notice (${colorScheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });

  // Two inline editors: saving one keeps the other open with its typed text.
  await row(page, 'Water the plants').locator('a[href*="/edit"]').click();
  await row(page, 'File expenses').locator('a[href*="/edit"]').click();
  const editors = page.locator('#task-region form[data-inline-edit]');
  await eventually(async () => assert.equal(await editors.count(), 2));
  const waterForm = page.locator('tr.editing', { has: page.locator('input[value="Water the plants"]') }).locator('form');
  const fileForm = page.locator('tr.editing', { has: page.locator('input[value="File expenses"]') }).locator('form');
  await waterForm.locator('[name=title]').fill('Water the plants twice');
  await fileForm.locator('[name=title]').fill('File the travel expenses');
  await clearAnnouncer(page);
  await waterForm.locator('[name=title]').press('Enter');
  await row(page, 'Water the plants twice').waitFor();
  assert.match(await announced(page), /Saved/);
  assert.equal(await editors.count(), 1, 'the other editor is still open');
  assert.equal(await editors.first().locator('[name=title]').inputValue(), 'File the travel expenses', 'with its typed text');

  // Saving an edit of a task deleted elsewhere keeps the text and offers a new task.
  await elsewhere(page, `/tasks/${await editors.first().evaluate((f) => f.closest('tr').id.slice('task-'.length))}/delete`);
  await editors.first().locator('[name=description]').fill('receipts in the blue folder');
  await editors.first().locator('button:has-text("Save")').click();
  const gone = page.locator('#task-region form[data-gone]');
  await gone.waitFor();
  assert.equal(await gone.locator('[name=title]').inputValue(), 'File the travel expenses');
  assert.equal(await gone.locator('[name=description]').inputValue(), 'receipts in the blue folder');
  await eventually(async () => assert.equal((await stats(page)).total, 1, 'stats refreshed'));
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await settled(page);
    await axe(page, `an editor whose task was deleted elsewhere (${colorScheme})`);
    for (const viewport of [DESKTOP, MOBILE]) {
      await page.setViewportSize(viewport);
      await screenshot(page, `edit-deleted-elsewhere-${colorScheme}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(DESKTOP);
  await gone.locator('button:has-text("Save as a new task")').click();
  await row(page, 'File the travel expenses').waitFor();
  assert.equal((await stats(page)).total, 2);
  await assertSamePage(page, marker, 'the interaction details');

  // axe on the no-JS confirmation page (axe needs scripts): the bulk form posted natively.
  await page.locator('#bulk-form input[data-select-all]').check();
  await Promise.all([page.waitForEvent('load'), page.evaluate(() => {
    const form = document.getElementById('bulk-form');
    form.insertAdjacentHTML('beforeend', '<input type="hidden" name="action" value="delete">');
    HTMLFormElement.prototype.submit.call(form);
  })]);
  assert.match(await page.locator('h1').innerText(), /Delete 2 tasks\?/);
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await page.waitForTimeout(400);
    await axe(page, `the bulk delete confirmation (${colorScheme})`);
  }
  context.problems.assertNone('the interaction details with JavaScript');
  await context.close();
});

test('without JavaScript: select all link, the bulk delete confirmation page, nothing selected, a task deleted elsewhere', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await signUp(page);
  await seedTasks(page, TASKS);
  const land = async (click) => { await Promise.all([page.waitForEvent('load'), click()]); };

  // Nothing selected: a visible message, nothing changed.
  await land(() => page.click('#bulk-form button[value=delete]'));
  assert.match(await page.locator('.flash').innerText(), /select at least one task/i);
  assert.equal((await rowTitles(page)).length, 4);

  // "Select all" is a link: the page again with every box ticked.
  const link = page.locator('#bulk-form a[data-select-all-link]');
  assert.ok(await link.isVisible(), 'the no-JS link shows');
  assert.equal(await page.locator('#bulk-form input[data-select-all]').isVisible(), false, 'the checkbox does not');
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await page.waitForTimeout(400);
    for (const viewport of [DESKTOP, MOBILE]) {
      await page.setViewportSize(viewport);
      await assertNoHorizontalScroll(page, `no-JS bulk bar at ${viewport.width}`);
      await screenshot(page, `nojs-bulk-bar-${colorScheme}`, { fullPage: false });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(DESKTOP);
  await land(() => link.click());
  assert.equal(await ticked(page), 4, 'every box ticked');

  // Bulk delete asks on a page of its own, naming the tasks; Cancel returns, nothing deleted.
  await row(page, 'Renew passport').locator('input[name=ids]').uncheck();
  await row(page, 'File expenses').locator('input[name=ids]').uncheck();
  await land(() => page.click('#bulk-form button[value=delete]'));
  assert.match(await page.locator('h1').innerText(), /Delete 2 tasks\?/);
  assert.deepEqual((await page.locator('[data-bulk-delete-titles] li').allInnerTexts()).sort(), ['Call the plumber', 'Water the plants']);
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await page.waitForTimeout(400);
    for (const viewport of [DESKTOP, MOBILE]) {
      await page.setViewportSize(viewport);
      await screenshot(page, `nojs-bulk-delete-confirm-${colorScheme}`);
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(DESKTOP);
  await land(() => page.click('a:has-text("Cancel")'));
  assert.equal((await rowTitles(page)).length, 4, 'Cancel deleted nothing');
  await row(page, 'Water the plants').locator('input[name=ids]').check();
  await row(page, 'Call the plumber').locator('input[name=ids]').check();
  await land(() => page.click('#bulk-form button[value=delete]'));
  await land(() => page.click('button:has-text("Delete 2 tasks")'));
  assert.match(await page.locator('.flash').innerText(), /Deleted 2 tasks/);
  assert.deepEqual((await rowTitles(page)).sort(), ['File expenses', 'Renew passport']);

  // Toggling a task deleted in another tab: back to the list with a calm message.
  await elsewhere(page, `/tasks/${await idOf(page, 'Renew passport')}/delete`);
  await land(() => row(page, 'Renew passport').locator('button[formaction$="/toggle"]').click());
  assert.equal(new URL(page.url()).pathname, '/tasks');
  assert.match(await page.locator('.flash').innerText(), /This task was deleted elsewhere/);
  assert.deepEqual(await rowTitles(page), ['File expenses']);

  // Saving an edit of a task deleted elsewhere: the edit page again, text kept, save as new.
  await land(() => row(page, 'File expenses').locator('a[href*="/edit"]').click());
  await page.fill('main [name=title]', 'File the travel expenses');
  await elsewhere(page, `${new URL(page.url()).pathname.replace(/\/edit$/, '')}/delete`);
  await land(() => page.click('button:has-text("Save")'));
  assert.match(await page.locator('main').innerText(), /deleted elsewhere/);
  assert.equal(await page.inputValue('main [name=title]'), 'File the travel expenses');
  await land(() => page.click('button:has-text("Save as a new task")'));
  assert.deepEqual(await rowTitles(page), ['File the travel expenses']);
  context.problems.assertNone('the interaction details without JavaScript');
  await context.close();
});
