// Scenario 4: with the table response held back for a second, the indicator shows, the region
// is aria-busy, the old rows stay (dimmed) and a button that fired is disabled (a filter
// select stays usable: a new choice replaces the request); then all of that clears.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  assertSamePage, eventually, search, tableSwap, isHtmx, launchBrowser, markPage, newContext, row, rowsLocator,
  screenshot, seedTasks, settled, signUp, sleep,
} from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const HOLD_MS = 1200;

// Everything a person would see while the table is loading.
async function loadingState(page) {
  return page.evaluate(() => {
    const region = document.getElementById('task-region');
    const indicator = region.querySelector('.loading-indicator');
    const tbody = region.querySelector('tbody.task-rows');
    let opacity = 1;
    for (let el = tbody; el; el = el.parentElement) opacity *= Number(getComputedStyle(el).opacity);
    const visible = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden' && Number(getComputedStyle(el).opacity) > 0;
    return {
      busy: region.getAttribute('aria-busy') === 'true',
      indicator: visible(indicator),
      rows: region.querySelectorAll('tbody.task-rows tr[id^="task-"]').length,
      rowsOpacity: tbody ? opacity : null,
    };
  });
}

test('loading state for a filter, a search and a create', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page);
  await seedTasks(page, [{ title: 'First thing' }, { title: 'Second thing', priority: 'high' }, { title: 'Third thing' }]);
  const marker = await markPage(page);

  let hold = true;
  await page.route('**/tasks**', async (route) => {
    if (hold && isHtmx(route.request())) await sleep(HOLD_MS);
    await route.continue();
  });

  const idle = await loadingState(page);
  assert.deepEqual({ busy: idle.busy, indicator: idle.indicator }, { busy: false, indicator: false }, 'no loading state at rest');

  // A filter: the loading state shows at once.
  const status = page.locator('#filters select[name=status]');
  const started = Date.now();
  await status.selectOption('open');
  const during = await eventually(async () => {
    const s = await loadingState(page);
    assert.ok(s.busy && s.indicator, `loading state not shown: ${JSON.stringify(s)}`);
    return s;
  }, { timeout: HOLD_MS - 400 });
  assert.ok(Date.now() - started < HOLD_MS - 200, 'the loading state shows at once');
  assert.equal(during.rows, 3, 'the old rows stay visible while loading');
  // Dimmed (after a short fade).
  await eventually(async () => {
    const s = await loadingState(page);
    assert.ok(s.busy && s.rowsOpacity < 0.9, `the old rows are dimmed while loading (opacity ${s.rowsOpacity})`);
  }, { timeout: HOLD_MS - 600 });
  // The select stays usable (and keeps keyboard focus): a second choice replaces the
  // request in flight (hx-sync), so there is nothing to guard against by disabling it.
  assert.equal(await status.isDisabled(), false, 'the select that fired the request stays usable');
  await screenshot(page, 'dashboard-loading');
  await settled(page);
  const after1 = await loadingState(page);
  assert.deepEqual({ busy: after1.busy, indicator: after1.indicator }, { busy: false, indicator: false }, 'the loading state clears');
  assert.ok(await status.isEnabled(), 'the select is enabled again');
  assert.equal(await status.inputValue(), 'open');

  // Search as you type shows it too.
  await page.locator('#filters input[name=q]').pressSequentially('Second', { delay: 20 });
  await eventually(async () => {
    const s = await loadingState(page);
    assert.ok(s.busy && s.indicator, `loading state not shown while searching: ${JSON.stringify(s)}`);
  }, { timeout: HOLD_MS + 300 });
  await eventually(async () => assert.equal(await rowsLocator(page).count(), 1), { timeout: HOLD_MS + 2000 });
  await settled(page);

  // Creating a task: the button is disabled and the region busy until the row is in.
  await tableSwap(page, () => page.selectOption('#filters select[name=status]', 'all'));
  await search(page, '');
  await page.fill('#create-form [name=title]', 'Fourth thing');
  const add = page.locator('#create-form button:has-text("Add task")');
  await add.click();
  await eventually(async () => {
    const s = await loadingState(page);
    assert.ok(s.busy && s.indicator, `loading state not shown while creating: ${JSON.stringify(s)}`);
    assert.ok(await add.isDisabled(), '"Add task" is disabled while saving');
  }, { timeout: HOLD_MS - 400 });
  await row(page, 'Fourth thing').waitFor({ timeout: HOLD_MS + 3000 });
  await settled(page);
  assert.ok(await add.isEnabled());
  assert.equal((await loadingState(page)).busy, false);

  hold = false;
  await assertSamePage(page, marker, 'the loading states');
  context.problems.assertNone('the dashboard');
  await context.close();
});
