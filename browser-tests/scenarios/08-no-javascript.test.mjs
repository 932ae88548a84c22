// Scenario 7: with JavaScript off, everything works through full page loads (POST, redirect,
// flash message): sign up, create, edit, toggle, delete (with its confirmation page), bulk,
// filter, sort and page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  MOBILE, launchBrowser, moreOptions, newContext, query, row, rowTitles, screenshot, seedTasks, signUp, stats,
} from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

async function flash(page, pattern) {
  const f = page.locator('.flash[role=status]');
  await f.waitFor();
  const text = (await f.innerText()).trim();
  if (pattern) assert.match(text, pattern);
  return text;
}
async function submitAndLand(page, click, path = '/tasks') {
  await Promise.all([page.waitForURL((u) => u.pathname === path), click()]);
  await page.waitForLoadState('load');
}

test('the whole dashboard works without JavaScript', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await signUp(page);
  await page.locator('[data-state=empty-none]').waitFor();

  // Create, with a validation error first.
  await page.fill('#create-form [name=title]', '   ');
  await moreOptions(page);
  await page.fill('#create [name=description]', 'keep me');
  await page.click('#create-form button:has-text("Add task")');
  await page.locator('#create-form .field-error').waitFor();
  assert.equal(await page.inputValue('#create [name=description]'), 'keep me');

  await page.fill('#create-form [name=title]', 'Plan the trip');
  await page.selectOption('#create [name=priority]', 'high');
  await submitAndLand(page, () => page.click('#create-form button:has-text("Add task")'));
  await flash(page);
  assert.deepEqual(await rowTitles(page), ['Plan the trip']);
  await screenshot(page, 'nojs-dashboard');

  // Edit on its own page.
  await page.click('#task-region a[href*="/edit"]');
  await page.waitForURL((u) => /^\/tasks\/\d+\/edit$/.test(u.pathname));
  assert.equal(await page.inputValue('main [name=title]'), 'Plan the trip');
  await page.fill('main [name=title]', 'Plan the summer trip');
  await page.fill('main [name=description]', 'two weeks, somewhere warm');
  await submitAndLand(page, () => page.click('button:has-text("Save")'));
  await flash(page);
  assert.deepEqual(await rowTitles(page), ['Plan the summer trip']);

  // Toggle.
  await submitAndLand(page, () => row(page, 'Plan the summer trip').locator('button[formaction$="/toggle"]').click());
  await flash(page);
  assert.equal((await stats(page)).done, 1);
  await submitAndLand(page, () => row(page, 'Plan the summer trip').locator('button[formaction$="/toggle"]').click());
  await flash(page);
  assert.equal((await stats(page)).done, 0);

  // Delete through the confirmation page.
  await row(page, 'Plan the summer trip').locator('a[href*="/delete"]').click();
  await page.waitForURL((u) => /^\/tasks\/\d+\/delete$/.test(u.pathname));
  assert.match(await page.locator('main').innerText(), /Plan the summer trip/);
  await submitAndLand(page, () => page.click('button:has-text("Delete task")'));
  await flash(page);
  assert.equal((await stats(page)).total, 0);
  await page.locator('[data-state=empty-none]').waitFor();

  // Bulk, filter, sort, page.
  await seedTasks(page, Array.from({ length: 13 }, (_, i) => ({
    title: `Chore ${String(i + 1).padStart(2, '0')}`, priority: i % 2 ? 'low' : 'high',
  })));
  await row(page, 'Chore 13').locator('input[name=ids]').check();
  await row(page, 'Chore 12').locator('input[name=ids]').check();
  await submitAndLand(page, () => page.click('button[name=action][value=complete]'));
  await flash(page);
  assert.equal((await stats(page)).done, 2);

  await page.selectOption('#filters select[name=status]', 'open');
  await page.selectOption('#filters select[name=priority]', 'high');
  await page.selectOption('#filters select[name=size]', '10');
  await submitAndLand(page, () => page.click('#filters [type=submit]'));
  assert.deepEqual({ status: query(page).status, priority: query(page).priority, size: query(page).size }, { status: 'open', priority: 'high', size: '10' });
  assert.deepEqual(await rowTitles(page), ['Chore 11', 'Chore 09', 'Chore 07', 'Chore 05', 'Chore 03', 'Chore 01']);

  // Each filter in force is a chip, a plain link to the view without it.
  const chips = page.locator('#task-region .filter-chips a.chip');
  const chipTexts = (await chips.allInnerTexts()).map((t) => t.replace(/:.*/s, '').trim());
  assert.deepEqual(chipTexts, ['Open', 'High priority']);
  await submitAndLand(page, () => chips.filter({ hasText: 'High priority' }).click());
  assert.deepEqual({ status: query(page).status, priority: query(page).priority }, { status: 'open', priority: undefined });
  assert.equal(await page.inputValue('#filters select[name=priority]'), '');
  assert.equal((await rowTitles(page)).length, 10, 'every open chore, 10 a page');

  await page.goto('/tasks?size=10');
  const page1 = await rowTitles(page);
  assert.equal(page1.length, 10);
  await submitAndLand(page, () => page.locator('nav[aria-label=Pagination] a[rel=next]').click());
  const page2 = await rowTitles(page);
  assert.equal(page2.length, 3);
  assert.ok(!page2.some((t) => page1.includes(t)));
  await submitAndLand(page, () => page.locator('nav[aria-label=Pagination] a[rel=prev]').click());
  assert.deepEqual(await rowTitles(page), page1);

  await submitAndLand(page, () => page.locator('#task-region a[data-sort=title]').click());
  assert.equal(query(page).sort, 'title');
  const titles = await rowTitles(page);
  assert.deepEqual(titles, [...titles].sort());

  await page.goto('/tasks?q=nothing-like-this');
  await page.locator('[data-state=empty-filtered]').waitFor();
  await submitAndLand(page, () => page.click('a[data-action=clear-filters]'));
  assert.ok(!query(page).q);
  assert.ok((await rowTitles(page)).length > 0);
  await screenshot(page, 'nojs-dashboard-full');

  await page.setViewportSize(MOBILE);
  await screenshot(page, 'nojs-dashboard-full');
  context.problems.assertNone('the no-JS dashboard');
  await context.close();
});
