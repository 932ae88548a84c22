// Scenario 13: interaction details. Focus stays on the control used (or moves to the sensible
// next one) after every row action, sort, bulk action and page, driven from the keyboard; the
// status filter keeps focus while its answer is in flight; narrow screens sort with a select,
// with and without JavaScript; focus never hides under the sticky header; Back without
// JavaScript shows what the URL says; a typed search is one history entry; a page says where
// it is.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  axe, eventually, launchBrowser, newContext, query, row, rowTitles, rowsLocator, screenshot,
  seedTasks, settled, signUp, tableSwap,
} from '../lib/browser.mjs';

const PHONE = { width: 375, height: 667 };

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

// What has focus: the task row it is in (by title) and what it is.
async function focused(page) {
  return page.evaluate(() => {
    // A row's controls are known by their URLs: /tasks/42/toggle, /tasks/42/edit?...
    const rowAction = (el) => (/^\/tasks\/\d+\/(toggle|edit|delete)\b/.exec(el.getAttribute('formaction') || el.getAttribute('href') || '') || [])[1];
    const a = document.activeElement;
    const r = a && a.closest('tr[id^="task-"]');
    return {
      row: r ? (r.querySelector('.task-title')?.textContent.trim() ?? 'editing') : null,
      what: !a || a === document.body ? 'body'
        : rowAction(a) || a.getAttribute('data-sort') || a.name || a.className.split(' ')[0] || a.tagName,
      value: a && a.value,
    };
  });
}

// Presses a key that sends an htmx request, and waits until its answer has settled.
async function pressAndSwap(page, key) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().headers()['hx-request'] === 'true', { timeout: 10_000 }),
    page.keyboard.press(key),
  ]);
  await response.finished();
  await settled(page);
  await page.waitForTimeout(50); // the focus is put back after the swap has settled
}

test('keyboard: focus stays put after toggle, edit, save, cancel, delete, sort and bulk', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page);
  await seedTasks(page, ['Alpha', 'Bravo', 'Charlie', 'Delta'].map((title) => ({ title })));

  await row(page, 'Bravo').locator('button[formaction$="/toggle"]').focus();
  await pressAndSwap(page, 'Enter');
  assert.deepEqual(await focused(page), { row: 'Bravo', what: 'toggle', value: '0' }, 'after a toggle (its button now reopens)');

  // Editing opens with the title field focused; Enter saves and focus goes to the row.
  await row(page, 'Charlie').locator('a[href*="/edit"]').focus();
  await page.keyboard.press('Enter');
  await page.locator('form[data-inline-edit]').waitFor();
  await eventually(async () => assert.equal((await focused(page)).what, 'title', 'the edit field has focus'));
  await page.keyboard.press('End');
  await page.keyboard.type(' two');
  await pressAndSwap(page, 'Enter');
  assert.deepEqual(await focused(page), { row: 'Charlie two', what: 'task-title', value: undefined }, 'after a save');

  // Escape cancels, and focus goes back to the row.
  await row(page, 'Delta').locator('a[href*="/edit"]').focus();
  await page.keyboard.press('Enter');
  await page.locator('form[data-inline-edit]').waitFor();
  await eventually(async () => assert.equal((await focused(page)).what, 'title'));
  await pressAndSwap(page, 'Escape');
  assert.deepEqual(await focused(page), { row: 'Delta', what: 'task-title', value: undefined }, 'after a cancel');

  // After a delete, the neighbour.
  page.once('dialog', (d) => d.accept());
  await row(page, 'Charlie two').locator('a[href*="/delete"]').focus();
  await pressAndSwap(page, 'Enter');
  const after = await focused(page);
  assert.ok(['Bravo', 'Delta'].includes(after.row) && after.what === 'task-title', `after a delete: ${JSON.stringify(after)}`);

  // A sort header keeps focus.
  await page.locator('#task-region a[data-sort=title]').focus();
  await pressAndSwap(page, 'Enter');
  assert.equal((await focused(page)).what, 'title', 'after sorting');
  assert.equal(query(page).sort, 'title');

  // A bulk button keeps focus.
  await row(page, 'Alpha').locator('input[name=ids]').focus();
  await page.keyboard.press('Space');
  const markDone = page.locator('#bulk-form button[value=complete]');
  await markDone.focus();
  await pressAndSwap(page, 'Enter');
  assert.deepEqual(await focused(page), { row: null, what: 'action', value: 'complete' }, 'after a bulk action');
  context.problems.assertNone('the keyboard run');
  await context.close();
});

test('the status filter keeps focus while its answer is in flight', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page);
  await seedTasks(page, [{ title: 'One' }, { title: 'Two' }]);
  // Slow answers, so the second key lands while the first is in flight.
  await page.route('**/tasks?**', async (route) => { await new Promise((r) => setTimeout(r, 400)); await route.continue(); });
  await page.locator('#filters select[name=status]').focus();
  await page.keyboard.press('ArrowDown');
  await page.waitForTimeout(100);
  await page.keyboard.press('ArrowDown');
  await eventually(async () => assert.equal(query(page).status, 'done'), { timeout: 5000 });
  await settled(page);
  assert.equal(await page.inputValue('#filters select[name=status]'), 'done');
  assert.equal((await focused(page)).what, 'status', 'focus stays on the filter');
  await context.close();
});

for (const javaScriptEnabled of [true, false]) {
  test(`375 px, JS ${javaScriptEnabled ? 'on' : 'off'}: sorting with the sort select`, async () => {
    const context = await newContext(browser, { viewport: PHONE, isMobile: true, hasTouch: true, javaScriptEnabled });
    const page = await context.newPage();
    await signUp(page);
    await seedTasks(page, ['Mango', 'apple', 'Kiwi', 'banana'].map((title) => ({ title })));
    await page.locator('#filters summary').click();
    const order = page.locator('#filters select[name=order]');
    assert.ok(await order.isVisible(), 'a visible sort control');
    if (javaScriptEnabled) {
      await tableSwap(page, () => order.selectOption('title-asc'));
    } else {
      await order.selectOption('title-asc');
      await Promise.all([page.waitForURL(/order=title-asc/), page.click('#filters button[type=submit]')]);
    }
    assert.deepEqual(await rowTitles(page), ['apple', 'banana', 'Kiwi', 'Mango']);
    assert.equal(await page.inputValue('#filters select[name=order]'), 'title-asc');
    if (javaScriptEnabled) {
      assert.equal(new URL(page.url()).search, '?sort=title', 'the address bar shows the view\'s own URL');
      await screenshot(page, 'phone-sort-select', { fullPage: false });
      await axe(page, 'the sort select at 375px');
    }
    await context.close();
  });
}

test('focus never hides under the sticky header', async () => {
  const context = await newContext(browser, { viewport: PHONE, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signUp(page);
  await page.locator('[data-state=empty-none] a[href="#new-title"]').click();
  await eventually(async () => {
    const { field, header } = await page.evaluate(() => ({
      field: document.getElementById('new-title').getBoundingClientRect().top,
      header: document.querySelector('header.nav').getBoundingClientRect().bottom,
    }));
    assert.ok(field >= header, `the title field (top ${field}) is below the header (bottom ${header})`);
  });
  await context.close();
});

test('Back without JavaScript shows the filters the URL says', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await signUp(page);
  await seedTasks(page, [{ title: 'One' }]);
  await page.goto('/tasks');
  await page.selectOption('#filters select[name=status]', 'done');
  await Promise.all([page.waitForURL(/status=done/), page.click('#filters button[type=submit]')]);
  await page.goBack();
  await page.waitForURL((u) => !u.search.includes('status'));
  assert.equal(await page.inputValue('#filters select[name=status]'), 'all');
  assert.equal(await page.locator('#filters[autocomplete=off]').count(), 1);
  await context.close();
});

test('a search typed with pauses is one history entry', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page);
  await seedTasks(page, [{ title: 'Quarterly report' }, { title: 'Other' }]);
  const before = await page.evaluate(() => history.length);
  const box = page.locator('#filters input[name=q]');
  await box.click();
  let answers = 0;
  page.on('response', (r) => { if (new URL(r.url()).searchParams.has('q')) answers += 1; });
  await box.pressSequentially('report', { delay: 450 });
  await eventually(async () => assert.equal(query(page).q, 'report'));
  await settled(page);
  assert.ok(answers >= 3, `the search asked ${answers} times while typing`);
  assert.equal(await page.evaluate(() => history.length), before + 1, 'one new history entry');
  assert.deepEqual(await rowTitles(page), ['Quarterly report']);
  await page.goBack();
  await eventually(async () => assert.ok(!query(page).q, 'Back goes to before the search'));
  await context.close();
});

test('paging: the next page starts in view, focused, and says where it is', async () => {
  const context = await newContext(browser, { viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await signUp(page);
  await seedTasks(page, Array.from({ length: 27 }, (_, i) => ({ title: `Item ${String(i + 1).padStart(2, '0')}` })));
  await page.goto('/tasks?size=10');
  assert.equal(await page.locator('[data-position]').innerText(), '1–10 of 27 tasks');
  await page.locator('nav[aria-label=Pagination] a[rel=next]').focus();
  await pressAndSwap(page, 'Enter');
  assert.equal(await page.locator('[data-position]').innerText(), '11–20 of 27 tasks');
  const first = await rowsLocator(page).first().locator('.task-title').innerText();
  assert.deepEqual(await focused(page), { row: first, what: 'task-title', value: undefined }, 'the first row of the new page has focus');
  const top = await rowsLocator(page).first().evaluate((r) => r.getBoundingClientRect().top);
  assert.ok(top >= 0 && top < 800, `the first row is in view (top ${top})`);
  assert.equal((await page.locator('#announcer').innerText()).trim(), '11–20 of 27 tasks');
  // The last page is a whole page, ending with the last row.
  await tableSwap(page, () => page.locator('nav[aria-label=Pagination] a[rel=last]').click());
  assert.equal(await page.locator('[data-position]').innerText(), '18–27 of 27 tasks');
  await tableSwap(page, () => page.locator('nav[aria-label=Pagination] a[rel=prev]').click());
  assert.equal(await page.locator('[data-position]').innerText(), '8–17 of 27 tasks');
  await context.close();
});
