// Scenario 21 (issue 20): quick add and import. The one-line add reads "Pay rent tomorrow
// #home !high": with JavaScript a preview under the field says what it understood before it
// is sent; without, the message after adding says it. /tasks/import previews a CSV (a bad
// row named by row and column, nothing imported), then imports it on confirmation, with and
// without JavaScript.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  SCHEMES, announced, axe, launchBrowser, markPage, assertSamePage, newContext, row, screenshot, settled, signUp,
} from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

test('quick add previews what it understood, then adds it in place', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page);
  await page.locator('[data-state=empty-none]').waitFor();
  const marker = await markPage(page);

  await page.fill('#new-title', 'Pay rent tomorrow #home !high');
  const preview = page.locator('#quick-preview');
  await preview.locator('.quick-said', { hasText: 'high priority' }).waitFor();
  assert.equal(await preview.locator('.quick-title').innerText(), '“Pay rent”');
  const said = await preview.locator('.quick-said').allInnerTexts();
  assert.equal(said.length, 3, said.join(' | '));
  assert.match(said[0], /^due [A-Z][a-z]{2} \d{1,2}, \d{4}$/);
  assert.deepEqual(said.slice(1), ['high priority', '#home']);
  // The field is described by the preview, for a screen reader.
  assert.match(await page.getAttribute('#new-title', 'aria-describedby'), /quick-preview/);
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForFunction(() => !document.getAnimations().some((a) => a.playState === 'running'));
    await axe(page, `the quick add preview (${scheme})`);
    await screenshot(page, `quick-add-preview-${scheme}`, { fullPage: false });
  }
  await page.emulateMedia({ colorScheme: 'light' });

  // A line with no title says so before it is sent.
  await page.fill('#new-title', 'tomorrow #home');
  await preview.locator('.quick-missing', { hasText: 'No title yet' }).waitFor();

  await page.fill('#new-title', 'Pay rent tomorrow #home !high');
  await preview.locator('.quick-title', { hasText: 'Pay rent' }).waitFor();
  await page.press('#new-title', 'Enter');
  const rent = row(page, 'Pay rent');
  await rent.waitFor();
  await settled(page);
  assert.match(await announced(page), /Added “Pay rent”: due .+, high priority, #home\./);
  assert.deepEqual(await rent.locator('.tags a').allInnerTexts(), ['#home']);
  assert.equal(await page.inputValue('#new-title'), '', 'the field is cleared for the next one');
  assert.equal((await preview.innerText()).trim(), '', 'and so is its preview');
  await assertSamePage(page, marker, 'a quick add');

  // Plain titles stay plain: "#42" is an issue number, not a tag.
  await page.fill('#new-title', 'Review pull request #42');
  await page.press('#new-title', 'Enter');
  await row(page, 'Review pull request #42').waitFor();
  context.problems.assertNone('quick add');
  await context.close();
});

test('without JavaScript the message after adding says what was understood', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await signUp(page);
  await page.fill('#new-title', 'Water plants every week !low');
  await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), page.click('#create-form button:has-text("Add task")')]);
  const flash = page.locator('.flash[role=status]');
  await flash.waitFor();
  assert.match(await flash.innerText(), /Added “Water plants”: due .+, low priority, repeats weekly\./);
  await row(page, 'Water plants').waitFor();
  context.problems.assertNone('quick add without JavaScript');
  await context.close();
});

const BAD = 'title,due_date,priority\nPay rent,2027-01-01,high\nBad date,2027-02-30,low\n';
const GOOD = 'title,due_date,priority,tags\nPay rent,2027-01-01,high,home\n"Call, then write",,,\n';

for (const javaScriptEnabled of [true, false]) {
  test(`import names a bad row, then previews and imports a good file (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
    const context = await newContext(browser, { javaScriptEnabled });
    const page = await context.newPage();
    await signUp(page);
    await page.locator('[data-state=empty-none]').waitFor();
    await Promise.all([page.waitForURL('**/tasks/import'), page.click('a:has-text("Import a CSV file")')]);

    // A bad row: named by row and column; nothing imported.
    await page.setInputFiles('#import-file', { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD) });
    await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Preview")')]);
    const problems = page.locator('[data-import=problems]');
    await problems.waitFor();
    assert.match(await problems.locator('h2').innerText(), /1 problem in bad\.csv/);
    const bad = problems.locator('tr[data-row="3"][data-field="due_date"]');
    assert.match(await bad.innerText(), /3\s+due_date\s+.*YYYY-MM-DD/s);
    assert.match(await problems.innerText(), /Nothing was imported/);
    if (javaScriptEnabled) {
      for (const scheme of SCHEMES) {
        await page.emulateMedia({ colorScheme: scheme });
        await page.waitForFunction(() => !document.getAnimations().some((a) => a.playState === 'running'));
        await axe(page, `the import page with a problem (${scheme})`);
        await screenshot(page, `import-problem-${scheme}`);
      }
      await page.emulateMedia({ colorScheme: 'light' });
    }

    // A good file: a preview first, then the import.
    await page.setInputFiles('#import-file', { name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(GOOD) });
    await Promise.all([page.waitForLoadState('load'), page.click('button:has-text("Preview")')]);
    const preview = page.locator('[data-import=preview]');
    await preview.waitFor();
    assert.match(await preview.locator('h2').innerText(), /2 tasks ready to import from good\.csv/);
    assert.match(await preview.innerText(), /Call, then write/);
    if (javaScriptEnabled) await axe(page, 'the import preview');
    await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), page.click('button:has-text("Import 2 tasks")')]);
    await page.locator('.flash', { hasText: 'Imported 2 tasks.' }).waitFor();
    await row(page, 'Pay rent').waitFor();
    await row(page, 'Call, then write').waitFor();
    assert.deepEqual(await row(page, 'Pay rent').locator('.tags a').allInnerTexts(), ['#home']);
    context.problems.assertNone(`import (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`);
    await context.close();
  });
}
