// Scenario 19: tags. Tags typed on the create form show as chips in the row; the filter
// bar's tag picker narrows the table to the tasks with every ticked tag, and a chip above
// the table takes one away, with JavaScript (in place) and without (links and the form's
// Apply); a row's tag is a link to the view narrowed by it; /tags renames one.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DESKTOP, MOBILE, SCHEMES, assertSamePage, axe, launchBrowser, markPage, moreOptions, newContext, query, row, rowTitles,
  screenshot, seedTasks, settled, signUp, stats, tableSwap,
} from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const sorted = (titles) => [...titles].sort();

test('tags added on the form filter the table in place', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page);
  await page.locator('[data-state=empty-none]').waitFor();
  await seedTasks(page, [
    { title: 'Quarterly report', tags: 'work', priority: 'high' },
    { title: 'Call the plumber', tags: 'home' },
    { title: 'Unlabelled chore' },
  ]);
  const marker = await markPage(page);

  // A bad tag is named, and what was typed stays.
  await page.fill('#create-form [name=title]', 'Buy paint');
  await moreOptions(page);
  await page.fill('#create [name=tags]', 'home, to do!');
  await page.click('#create-form button:has-text("Add task")');
  await page.locator('#create .field-error', { hasText: '“do!” is not a tag' }).waitFor();
  assert.equal(await page.inputValue('#create [name=tags]'), 'home, to do!');
  assert.equal(await page.inputValue('#create-form [name=title]'), 'Buy paint');

  await page.fill('#create [name=tags]', '#Home, errands');
  await page.click('#create-form button:has-text("Add task")');
  await row(page, 'Buy paint').waitFor();
  await settled(page);
  assert.deepEqual(await row(page, 'Buy paint').locator('.tags a').allInnerTexts(), ['#errands', '#home']);
  // The picker came back with the write: the new tag is there, with its count.
  const picker = page.locator('#tag-picker');
  await picker.locator('input[value=errands]').waitFor({ state: 'attached' });
  await assertSamePage(page, marker, 'adding a tagged task');

  // Tick a tag: the table narrows in place, the URL says so, the cards count the tagged.
  await picker.locator('summary').click();
  await tableSwap(page, () => picker.locator('input[value=home]').check());
  assert.deepEqual(sorted(await rowTitles(page)), ['Buy paint', 'Call the plumber']);
  assert.equal(query(page).tag, 'home');
  assert.equal((await stats(page)).total, 2);
  // A second tag: only the tasks with both.
  await tableSwap(page, () => picker.locator('input[value=errands]').check());
  assert.deepEqual(await rowTitles(page), ['Buy paint']);
  assert.equal(new URL(page.url()).searchParams.getAll('tag').join(','), 'errands,home');

  // The chip above the table takes one away, and unticks its box.
  await tableSwap(page, () => page.click('.filter-chips a[data-clear-value=errands]'));
  assert.deepEqual(sorted(await rowTitles(page)), ['Buy paint', 'Call the plumber']);
  assert.equal(await picker.locator('input[value=errands]').isChecked(), false);
  await assertSamePage(page, marker, 'filtering by tag');

  // The rows with their tags, on a wide screen and a phone, light and dark.
  await tableSwap(page, () => page.click('.filter-chips a[data-clear-value=home]'));
  assert.equal((await rowTitles(page)).length, 4);
  // The menu closes on a click elsewhere (the chip was one) and with Escape, like any menu.
  assert.equal(await picker.locator('details').getAttribute('open'), null);
  await picker.locator('summary').click();
  await picker.locator('input[value=work]').focus();
  await page.keyboard.press('Escape');
  assert.equal(await picker.locator('details').getAttribute('open'), null);
  for (const viewport of [DESKTOP, MOBILE]) {
    await page.setViewportSize(viewport);
    for (const scheme of SCHEMES) {
      await page.emulateMedia({ colorScheme: scheme });
      await settled(page);
      await screenshot(page, `tags-${scheme}`);
    }
  }
  await page.setViewportSize(DESKTOP);
  // Axe-clean with the menu open, in both schemes.
  await picker.locator('summary').click();
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await settled(page);
    await axe(page, `the tag picker (${scheme})`);
  }
  await page.keyboard.press('Escape');

  // A row's tag is a link to the view narrowed by it.
  await Promise.all([page.waitForURL((u) => u.searchParams.get('tag') === 'work'), row(page, 'Quarterly report').locator('.tags a').click()]);
  assert.deepEqual(await rowTitles(page), ['Quarterly report']);

  // /tags: a rename is one form; the dashboard follows.
  await page.goto('/tags');
  const line = page.locator('#tag-errands');
  await line.locator('input[name=to]').fill('Shopping');
  await Promise.all([page.waitForURL((u) => u.pathname === '/tags'), line.locator('button:has-text("Rename")').click()]);
  await page.locator('.flash', { hasText: 'Renamed #errands to #shopping on 1 task.' }).waitFor();
  await page.locator('#tag-shopping').waitFor();
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForFunction(() => !document.getAnimations().some((a) => a.playState === 'running'));
    await screenshot(page, `tags-page-${scheme}`);
    await axe(page, `the tags page (${scheme})`);
  }
  // A merge asks first, on a page of its own.
  await page.locator('#tag-shopping input[name=to]').fill('home');
  await Promise.all([page.waitForURL((u) => u.pathname === '/tags/rename'), page.locator('#tag-shopping button:has-text("Rename")').click()]);
  await page.locator('h1', { hasText: 'Merge #shopping into #home?' }).waitFor();
  await axe(page, 'the merge confirmation');
  await Promise.all([page.waitForURL((u) => u.pathname === '/tags'), page.click('button:has-text("Merge tags")')]);
  await page.locator('.flash', { hasText: 'Merged #shopping into #home: 1 task changed.' }).waitFor();
  assert.equal(await page.locator('#tag-home .tag-count').innerText(), '2 tasks', 'Buy paint had both: they merge');
  context.problems.assertNone('the tagged pages');
  await context.close();
});

test('without JavaScript, tags are typed, ticked and applied through the forms', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await signUp(page);
  await page.locator('[data-state=empty-none]').waitFor();

  await page.fill('#create-form [name=title]', 'Renew passport');
  await moreOptions(page);
  await page.fill('#create [name=tags]', 'travel admin');
  await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), page.click('#create-form button:has-text("Add task")')]);
  await row(page, 'Renew passport').waitFor();
  await seedTasks(page, [{ title: 'Book flights', tags: 'travel' }, { title: 'File taxes', tags: 'admin' }]);
  assert.deepEqual(await row(page, 'Renew passport').locator('.tags a').allInnerTexts(), ['#admin', '#travel']);

  // Tick two tags and Apply: only the task with both.
  await page.locator('#tag-picker summary').click();
  await page.locator('#tag-picker input[value=travel]').check();
  await page.locator('#tag-picker input[value=admin]').check();
  await Promise.all([page.waitForURL((u) => u.searchParams.getAll('tag').length === 2), page.click('#filters button:has-text("Apply")')]);
  assert.deepEqual(await rowTitles(page), ['Renew passport']);
  assert.equal((await stats(page)).total, 1);

  // The chip is a link to the view without that tag.
  await Promise.all([page.waitForURL((u) => u.searchParams.getAll('tag').join() === 'travel'), page.click('.filter-chips a[data-clear-value=admin]')]);
  assert.deepEqual(sorted(await rowTitles(page)), ['Book flights', 'Renew passport']);

  // A row's tag is a link too.
  await Promise.all([page.waitForURL((u) => u.searchParams.getAll('tag').join() === 'admin,travel'), row(page, 'Renew passport').locator('.tags a', { hasText: '#admin' }).click()]);
  assert.deepEqual(await rowTitles(page), ['Renew passport']);

  // /tags: deleting asks first, then removes the tag from every task.
  await page.goto('/tags');
  await Promise.all([page.waitForURL((u) => u.pathname === '/tags/delete'), page.locator('#tag-admin button:has-text("Delete")').click()]);
  await page.locator('h1', { hasText: 'Delete #admin?' }).waitFor();
  await Promise.all([page.waitForURL((u) => u.pathname === '/tags'), page.click('button:has-text("Delete tag")')]);
  assert.equal(await page.locator('#tag-admin').count(), 0);
  await page.goto('/tasks');
  assert.deepEqual(await row(page, 'Renew passport').locator('.tags a').allInnerTexts(), ['#travel']);
  context.problems.assertNone('the tagged pages without JavaScript');
  await context.close();
});
