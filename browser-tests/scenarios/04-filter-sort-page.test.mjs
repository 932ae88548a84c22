// Scenario 3: filter, sort, search as you type and page through the table: each swaps only the
// table, the URL follows, and reload / back / forward show the same view; "nothing matches"
// then "clear filters".
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import {
  assertSamePage, completeTasks, daysFromNow, eventually, isTableRequest, launchBrowser, markPage,
  historyStep, newContext, query, rowTitles, rowsLocator, screenshot, search, seedTasks, settled, signUp, tableSwap,
} from '../lib/browser.mjs';

const PRIORITIES = ['low', 'medium', 'high'];
const numbered = Array.from({ length: 24 }, (_, i) => ({
  title: `Task ${String(i + 1).padStart(2, '0')}`,
  priority: PRIORITIES[i % 3],
  due_date: i % 2 ? daysFromNow(i + 1) : '',
}));
const special = [
  { title: 'Pay invoice 1', description: 'electricity', priority: 'high' },
  { title: 'Pay invoice 2', description: 'water' },
  { title: 'Pay invoice 3', description: 'rent', priority: 'low' },
  { title: 'Raise prices by 100%', priority: 'high' },
  { title: 'Note_taking app' },
  { title: 'Queue tickets' },
];
const ALL = numbered.length + special.length; // 30
const DONE = ['Task 04', 'Task 08', 'Task 12', 'Task 16', 'Task 20', 'Pay invoice 2'];

let browser;
let signedIn; // storage state of the account holding the tasks above
before(async () => {
  browser = await launchBrowser();
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page);
  await seedTasks(page, [...numbered, ...special]);
  await page.goto('/tasks?size=100');
  await completeTasks(page, DONE);
  signedIn = await context.storageState();
  await context.close();
});
after(async () => { await browser?.close(); });

// Each test gets its own tab (no reload left over from the test before), and checks the
// console at the end.
let context;
let page;
beforeEach(async () => {
  context = await newContext(browser, { storageState: signedIn });
  page = await context.newPage();
});
afterEach(async () => {
  try {
    context.problems.assertNone('the dashboard');
  } finally {
    await context.close();
  }
});

const titleOrder = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

describe('the table follows the controls and the URL', () => {
  test('page size and paging; back, forward and reload show the same page', async () => {
    await page.goto('/tasks');
    const marker = await markPage(page);
    await tableSwap(page, () => page.selectOption('#filters select[name=size]', '10'));
    assert.equal(query(page).size, '10');
    const page1 = await rowTitles(page);
    assert.equal(page1.length, 10);
    assert.equal(page1[0], 'Queue tickets', 'newest first');

    const nav = page.locator('#task-region nav[aria-label=Pagination]');
    await tableSwap(page, () => nav.locator('a[rel=next]').click());
    const url2 = page.url();
    assert.notEqual(url2, `${new URL(page.url()).origin}/tasks?size=10`);
    const page2 = await rowTitles(page);
    assert.equal(page2.length, 10);
    assert.ok(!page2.some((t) => page1.includes(t)), 'page 2 shows other tasks');

    await tableSwap(page, () => nav.locator('a[rel=next]').click());
    const url3 = page.url();
    const page3 = await rowTitles(page);
    assert.equal(page3.length, ALL - 20);
    assert.equal(await nav.locator('a[rel=next]').count(), 0, 'no next link on the last page');
    await assertSamePage(page, marker, 'paging');

    await tableSwap(page, () => nav.locator('a[rel=prev]').click());
    assert.deepEqual(await rowTitles(page), page2);
    const urlPrev = page.url();
    await tableSwap(page, () => nav.getByRole('link', { name: /first/i }).click());
    assert.deepEqual(await rowTitles(page), page1);
    const urlFirst = page.url();
    assert.equal(await nav.locator('a[rel=prev]').count(), 0, 'no previous link on the first page');
    await tableSwap(page, () => nav.getByRole('link', { name: /last/i }).click());
    assert.deepEqual(await rowTitles(page), page3, 'Last shows the last page (30 tasks: pages of 10 line up)');

    // History: back and forward walk the same views, and a reload shows the same.
    await historyStep(page, 'back', { url: urlFirst, rows: page1 }); // Last -> First
    await historyStep(page, 'back', { url: urlPrev, rows: page2 }); // -> Previous
    await historyStep(page, 'back', { url: url3, rows: page3 });
    await historyStep(page, 'forward', { url: urlPrev, rows: page2 });
    await page.reload();
    assert.deepEqual(await rowTitles(page), page2);
    assert.equal(await page.inputValue('#filters select[name=size]'), '10', 'the controls show the view after a reload');
  });

  test('status and priority filters', async () => {
    await page.goto('/tasks?size=50');
    const marker = await markPage(page);
    await tableSwap(page, () => page.selectOption('#filters select[name=status]', 'done'));
    assert.equal(query(page).status, 'done');
    assert.deepEqual((await rowTitles(page)).sort(titleOrder), [...DONE].sort(titleOrder));

    await tableSwap(page, () => page.selectOption('#filters select[name=status]', 'open'));
    const openRows = await rowTitles(page);
    const urlOpen = page.url();
    assert.equal(openRows.length, ALL - DONE.length);

    await tableSwap(page, () => page.selectOption('#filters select[name=priority]', 'high'));
    assert.deepEqual(query(page), { ...query(page), status: 'open', priority: 'high' });
    const badges = await page.locator('#task-region tr[id^="task-"] [class^="badge-"]').allInnerTexts();
    const expectedHigh = [...numbered, ...special].filter((t) => t.priority === 'high' && !DONE.includes(t.title));
    assert.equal(badges.length, expectedHigh.length);
    assert.ok(badges.every((b) => /high/i.test(b)), `only high-priority rows: ${badges}`);
    await assertSamePage(page, marker, 'filtering');

    const view = await rowTitles(page);
    const urlHigh = page.url();
    await page.reload();
    assert.deepEqual(await rowTitles(page), view);
    assert.equal(await page.inputValue('#filters select[name=status]'), 'open');
    assert.equal(await page.inputValue('#filters select[name=priority]'), 'high');
    await historyStep(page, 'back', { url: urlOpen, rows: openRows });
    assert.equal(await page.inputValue('#filters select[name=priority]'), '', 'the controls follow the history');
    await historyStep(page, 'forward', { url: urlHigh, rows: view });
    assert.equal(await page.inputValue('#filters select[name=priority]'), 'high');
  });

  test('search as you type, debounced; % and _ match literally', async () => {
    await page.goto('/tasks?size=50');
    const marker = await markPage(page);
    const requests = [];
    const count = (r) => { if (isTableRequest(r)) requests.push(r.url()); };
    page.on('request', count);
    await page.locator('#filters input[name=q]').pressSequentially('invoice', { delay: 40 });
    await eventually(async () => assert.deepEqual((await rowTitles(page)).sort(), ['Pay invoice 1', 'Pay invoice 2', 'Pay invoice 3']));
    await settled(page);
    page.off('request', count);
    assert.ok(requests.length >= 1 && requests.length <= 2, `typing 7 letters sent ${requests.length} table requests (debounce)`);
    assert.equal(query(page).q, 'invoice');
    await assertSamePage(page, marker, 'searching');

    // Searches the description too.
    await search(page, 'electricity');
    assert.deepEqual(await rowTitles(page), ['Pay invoice 1']);

    await search(page, '100%');
    assert.deepEqual(await rowTitles(page), ['Raise prices by 100%']);
    await search(page, 'e_t');
    assert.deepEqual(await rowTitles(page), ['Note_taking app'], '"_" is not a wildcard');
    await page.reload();
    assert.deepEqual(await rowTitles(page), ['Note_taking app']);
    assert.equal(await page.inputValue('#filters input[name=q]'), 'e_t');
  });

  test('sort by title, priority; the header says which way', async () => {
    await page.goto('/tasks?size=50');
    const marker = await markPage(page);
    const titleHeader = page.locator('#task-region th[aria-sort]').filter({ has: page.locator('a[data-sort=title]') });
    await tableSwap(page, () => page.locator('#task-region a[data-sort=title]').click());
    assert.equal(query(page).sort, 'title');
    let titles = await rowTitles(page);
    assert.deepEqual(titles, [...titles].sort(titleOrder));
    assert.equal(titles.length, ALL);
    assert.equal(await titleHeader.getAttribute('aria-sort'), 'ascending');

    await tableSwap(page, () => page.locator('#task-region a[data-sort=title]').click());
    titles = await rowTitles(page);
    const urlDesc = page.url();
    assert.deepEqual(titles, [...titles].sort(titleOrder).reverse());
    assert.equal(await titleHeader.getAttribute('aria-sort'), 'descending');
    assert.match(page.url(), /dir=desc/);

    await tableSwap(page, () => page.locator('#task-region a[data-sort=priority]').click());
    assert.equal(query(page).sort, 'priority');
    const rank = { low: 0, medium: 1, high: 2 };
    const ranks = (await page.locator('#task-region tr[id^="task-"] [class^="badge-"]').allInnerTexts()).map((b) => rank[b.trim().toLowerCase()]);
    assert.ok(ranks.every((r) => r !== undefined), 'badges read low/medium/high');
    const asc = ranks.every((r, i) => i === 0 || ranks[i - 1] <= r);
    const desc = ranks.every((r, i) => i === 0 || ranks[i - 1] >= r);
    assert.ok(asc || desc, `rows are ordered by priority: ${ranks.join('')}`);
    await assertSamePage(page, marker, 'sorting');

    const view = await rowTitles(page);
    await page.reload();
    assert.deepEqual(await rowTitles(page), view);
    await historyStep(page, 'back', { url: urlDesc, rows: titles });
  });

  test('"nothing matches", then "clear filters"', async () => {
    await page.goto('/tasks?status=open&priority=low');
    const marker = await markPage(page);
    await search(page, 'no such task anywhere');
    const empty = page.locator('#task-region [data-state=empty-filtered]');
    await empty.waitFor();
    assert.match(await empty.innerText(), /nothing matches/i);
    assert.equal(await page.locator('#task-region [data-state=empty-none]').count(), 0, 'not the "no tasks yet" message');
    await screenshot(page, 'dashboard-nothing-matches');

    // A fragment swap or a full load of the unfiltered dashboard: both are fine, as long as
    // the table, the URL and the controls all show the unfiltered view.
    await empty.locator('a[data-action=clear-filters]').click();
    await page.waitForURL((u) => !u.searchParams.get('q'));
    await rowsLocator(page).first().waitFor();
    await settled(page);
    assert.equal(await empty.count(), 0);
    assert.ok((await rowsLocator(page).count()) > 0);
    const q = query(page);
    assert.ok(!q.q && (!q.status || q.status === 'all') && !q.priority, `filters are cleared in the URL: ${page.url()}`);
    assert.equal(await page.inputValue('#filters input[name=q]'), '');
    assert.equal(await page.inputValue('#filters select[name=priority]'), '');
    assert.ok(['all', ''].includes(await page.inputValue('#filters select[name=status]')));
    assert.ok(marker);
  });
});
