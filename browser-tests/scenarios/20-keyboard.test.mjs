// Issue 20, keyboard: the dashboard's single-key shortcuts. "?" lists them in a dialog (Escape
// and Close shut it, focus goes back); n / c go to quick add and / to search; j / k move a
// visible focus through the rows (also on a phone's cards); x selects, Space completes and
// reopens, e / Enter edit (Escape cancels), # / Delete delete after the usual confirmation.
// Nothing happens while typing in a field or with a modifier held. Axe with the dialog open,
// light and dark; without JavaScript there is neither dialog nor button.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DESKTOP, MOBILE, SCHEMES, assertSamePage, axe, eventually, launchBrowser, markPage, newContext,
  row, rowTitles, screenshot, seedTasks, settled, signUp, stats, tableSwap,
} from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

// Newest first: Delta, Charlie, Bravo, Alpha.
const TASKS = ['Alpha', 'Bravo', 'Charlie', 'Delta'].map((title) => ({ title }));

const activeId = (page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
const rowId = (page, title) => row(page, title).getAttribute('id');
// The focused row's look: the ring is an outline drawn by the CSS for :focus-visible.
const ringed = (page) => page.evaluate(() => {
  const a = document.activeElement;
  return a.matches(':focus-visible') && getComputedStyle(a).outlineStyle === 'solid' && getComputedStyle(a).outlineWidth !== '0px';
});
const blur = (page) => page.evaluate(() => document.activeElement?.blur());

// Presses a key that sends a request, and waits until its answer has settled and focus has
// been put back (one tick after the swap).
async function pressAndSettle(page, key, path) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().headers()['hx-request'] === 'true' && new URL(r.url()).pathname.endsWith(path)),
    page.keyboard.press(key),
  ]);
  await response.finished();
  await settled(page);
  await page.waitForTimeout(50);
}

test('keyboard shortcuts: the ? dialog, quick add, search, and every row key', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page);
  await seedTasks(page, TASKS);
  const marker = await markPage(page);
  assert.deepEqual(await rowTitles(page), ['Delta', 'Charlie', 'Bravo', 'Alpha']);
  const dialog = page.locator('dialog#shortcuts');
  assert.equal(await dialog.isVisible(), false, 'the dialog waits, closed');

  // j / k move a visible focus through the rows, from the first.
  await page.keyboard.press('j');
  assert.equal(await activeId(page), await rowId(page, 'Delta'), 'j with no row focused goes to the first');
  assert.ok(await ringed(page), 'the focused row shows a focus ring');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  assert.equal(await activeId(page), await rowId(page, 'Bravo'));
  await page.keyboard.press('k');
  assert.equal(await activeId(page), await rowId(page, 'Charlie'), 'k goes back up');
  await page.keyboard.press('Alt+j');
  assert.equal(await activeId(page), await rowId(page, 'Charlie'), 'not with a modifier held');

  // ? lists every shortcut; Escape closes it and focus goes back to the row.
  await page.keyboard.press('Shift+Slash');
  await eventually(async () => assert.ok(await dialog.isVisible(), '? opens the dialog'));
  assert.equal(await dialog.evaluate((d) => d.matches(':modal')), true, 'a modal dialog');
  assert.equal(await dialog.locator('h2').innerText(), 'Keyboard shortcuts');
  const keys = (await dialog.locator('kbd').allInnerTexts()).map((k) => k.trim());
  for (const key of ['n', 'c', '/', 'j', 'k', 'x', 'Enter', 'e', 'Space', '#', 'Delete', 'u', 'Escape', '?']) {
    assert.ok(keys.includes(key), `the dialog lists ${key}`);
  }
  assert.equal(await dialog.evaluate((d) => d.contains(document.activeElement)), true, 'focus is in the dialog');
  await page.keyboard.press('j');
  assert.equal(await dialog.isVisible(), true, 'row keys do nothing while it is open');
  for (const viewport of [DESKTOP, MOBILE]) {
    await page.setViewportSize(viewport);
    for (const colorScheme of SCHEMES) {
      await page.emulateMedia({ colorScheme });
      await settled(page);
      await axe(page, `the shortcuts dialog (${colorScheme}, ${viewport.width} px)`);
      await screenshot(page, `shortcuts-dialog-${colorScheme}`, { fullPage: false });
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(DESKTOP);
  await page.keyboard.press('Escape');
  await eventually(async () => assert.equal(await dialog.isVisible(), false, 'Escape closes it'));
  assert.equal(await activeId(page), await rowId(page, 'Charlie'), 'focus is back on the row');

  // The button below the list opens it too; Close shuts it, focus back on the button.
  const button = page.locator('[data-shortcuts-hint] button');
  await button.click();
  await eventually(async () => assert.ok(await dialog.isVisible()));
  await dialog.locator('button:has-text("Close")').click();
  await eventually(async () => assert.equal(await dialog.isVisible(), false, 'Close closes it'));
  assert.equal(await button.evaluate((b) => b === document.activeElement), true, 'focus is back on the button');

  // Escape leaves a focused row.
  await page.keyboard.press('j');
  assert.equal(await activeId(page), await rowId(page, 'Delta'));
  await page.keyboard.press('Escape');
  assert.equal(await activeId(page), 'BODY', 'Escape clears the row focus');

  // n and c go to quick add, / to search; the key itself is not typed there.
  await page.keyboard.press('n');
  assert.equal(await activeId(page), 'new-title', 'n focuses quick add');
  assert.equal(await page.inputValue('#new-title'), '');
  await blur(page);
  await page.keyboard.press('c');
  assert.equal(await activeId(page), 'new-title', 'c focuses quick add');
  assert.equal(await page.inputValue('#new-title'), '');
  await blur(page);
  await page.keyboard.press('/');
  assert.equal(await activeId(page), 'q', '/ focuses search');
  assert.equal(await page.inputValue('#q'), '');

  // Typing j in the search box types it: no row takes focus.
  await tableSwap(page, () => page.keyboard.press('j'));
  assert.equal(await activeId(page), 'q', 'j typed in search stays in search');
  assert.equal(await page.inputValue('#q'), 'j');
  assert.equal(await page.evaluate(() => !!document.activeElement.closest('tr')), false);
  await tableSwap(page, () => page.fill('#q', ''));
  assert.equal((await rowTitles(page)).length, 4);
  await blur(page);

  // x selects the focused row and x again unselects it.
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  assert.equal(await activeId(page), await rowId(page, 'Charlie'));
  const box = row(page, 'Charlie').locator('input[name=ids]');
  await page.keyboard.press('x');
  assert.equal(await box.isChecked(), true, 'x ticks the row');
  assert.match(await page.locator('#bulk-count').innerText(), /1 selected/);
  assert.equal(await activeId(page), await rowId(page, 'Charlie'), 'and focus stays on the row');
  await page.keyboard.press('x');
  assert.equal(await box.isChecked(), false, 'x again clears it');

  // Space completes the task, and again reopens it; the row keeps focus across the swap.
  const charlie = await rowId(page, 'Charlie');
  await pressAndSettle(page, ' ', '/toggle');
  await eventually(async () => assert.match(await page.locator(`#${charlie}`).getAttribute('class') ?? '', /row-done/, 'Space completes it'));
  assert.equal((await stats(page)).done, 1);
  assert.equal(await activeId(page), charlie, 'focus is back on the (new) row');
  assert.ok(await ringed(page), 'with its ring');
  await pressAndSettle(page, ' ', '/toggle');
  await eventually(async () => assert.doesNotMatch(await page.locator(`#${charlie}`).getAttribute('class') ?? '', /row-done/, 'Space reopens it'));
  assert.equal((await stats(page)).done, 0);
  assert.equal(await activeId(page), charlie);

  // e opens the inline editor (focus in its title); Escape cancels it.
  const editor = page.locator(`#${charlie} form[data-inline-edit]`);
  await page.keyboard.press('e');
  await editor.waitFor();
  await eventually(async () => assert.equal(await editor.locator('[name=title]').evaluate((f) => f === document.activeElement), true, 'the title field has focus'));
  await pressAndSettle(page, 'Escape', charlie.replace('task-', '/'));
  assert.equal(await editor.count(), 0, 'Escape cancels the edit');
  assert.deepEqual(await rowTitles(page), ['Delta', 'Charlie', 'Bravo', 'Alpha']);

  assert.equal(await page.evaluate(() => document.activeElement.closest('tr')?.id), charlie, 'focus is back in the row');

  // Enter edits the focused row too (j goes on from the row focus is in).
  await page.keyboard.press('j');
  assert.equal(await activeId(page), await rowId(page, 'Bravo'));
  const bravo = await rowId(page, 'Bravo');
  await page.keyboard.press('Enter');
  const bravoTitle = page.locator(`#${bravo} form[data-inline-edit] [name=title]`);
  await eventually(async () => assert.equal(await bravoTitle.evaluate((f) => f === document.activeElement), true, 'Enter opened the editor'));
  await pressAndSettle(page, 'Escape', bravo.replace('task-', '/'));
  assert.equal(await page.locator('form[data-inline-edit]').count(), 0);

  // # asks before deleting (dismissed: nothing deleted); Delete asks too, and deletes.
  await page.keyboard.press('k');
  assert.equal(await activeId(page), charlie);
  let question = '';
  page.once('dialog', (d) => { question = d.message(); d.dismiss(); });
  await page.keyboard.press('Shift+Digit3');
  await eventually(async () => assert.match(question, /Delete “Charlie”\?/, '# asks with the title'));
  await page.waitForTimeout(300);
  assert.equal((await rowTitles(page)).length, 4, 'dismissed: nothing deleted');
  page.once('dialog', (d) => d.accept());
  await pressAndSettle(page, 'Delete', '/delete');
  assert.deepEqual(await rowTitles(page), ['Delta', 'Bravo', 'Alpha'], 'Delete deleted it');
  assert.equal((await stats(page)).total, 3);
  const neighbour = await activeId(page);
  assert.ok([await rowId(page, 'Delta'), await rowId(page, 'Bravo')].includes(neighbour), `focus went to a neighbouring row (${neighbour})`);

  // A phone's cards: the same rows, the same ring.
  await page.setViewportSize(MOBILE);
  await blur(page);
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  assert.equal(await activeId(page), await rowId(page, 'Bravo'));
  assert.ok(await ringed(page), 'the focused card shows a focus ring');
  assert.ok(await page.locator(`#${await rowId(page, 'Bravo')}`).isVisible());
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await settled(page);
    await screenshot(page, `shortcuts-row-focus-${colorScheme}`, { fullPage: false });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(DESKTOP);
  await page.keyboard.press('k');
  assert.equal(await activeId(page), await rowId(page, 'Delta'));
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await settled(page);
    await screenshot(page, `shortcuts-row-focus-${colorScheme}`, { fullPage: false });
  }

  await assertSamePage(page, marker, 'the keyboard shortcuts');
  context.problems.assertNone('the keyboard shortcuts');
  await context.close();
});

test('without JavaScript there is no shortcuts dialog and no button for it', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await signUp(page);
  await seedTasks(page, TASKS);
  assert.equal(await page.locator('dialog#shortcuts').isVisible(), false, 'the dialog is never shown');
  assert.equal(await page.locator('[data-shortcuts-hint]').isVisible(), false, 'nor its button');
  await page.keyboard.press('Shift+Slash');
  assert.equal(await page.locator('dialog#shortcuts').isVisible(), false);
  context.problems.assertNone('the dashboard without JavaScript');
  await context.close();
});
