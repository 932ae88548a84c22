// Scenario 12: tasks first. With 12 tasks, the first screen of the dashboard shows at least 8
// whole task rows at 1280x800 and at least 3 whole cards at 375x667, with JavaScript on and
// off, in light and dark (screenshots of each, the viewport only). Around that: adding is one
// line with "More options" folded away, the filters are one bar on a laptop and a "Filter"
// disclosure on a phone (open by itself when a filter is on, with removable chips), and a
// phone card's actions sit in its "…" menu.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  SCHEMES, assertNoHorizontalScroll, axe, daysFromNow, launchBrowser, newContext, query, row, rowsLocator,
  screenshot, seedTasks, settled, signUp, tableSwap,
} from '../lib/browser.mjs';

const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 667 };

// A realistic dozen: notes on some, due dates on most, one overdue, a long title.
const TWELVE = [
  { title: 'Prepare the board meeting slides', description: 'Q3 numbers, hiring plan', priority: 'high', due_date: daysFromNow(2) },
  { title: 'Renew the office lease', priority: 'high', due_date: daysFromNow(-4) },
  { title: 'Review pull request #482', description: 'The paging rewrite', priority: 'medium', due_date: daysFromNow(1) },
  { title: 'Order new laptop chargers', priority: 'low' },
  { title: 'Book flights for the conference in Lisbon, with a hotel close to the venue and a late check-out', priority: 'medium', due_date: daysFromNow(20) },
  { title: 'Write onboarding guide', description: 'For the two new engineers', priority: 'medium' },
  { title: 'Call the accountant', priority: 'high', due_date: daysFromNow(3) },
  { title: 'Plan the team offsite', description: 'Venue, travel, agenda', priority: 'medium', due_date: daysFromNow(30) },
  { title: 'Update the status page', priority: 'low', due_date: daysFromNow(5) },
  { title: 'Send the invoices for November', priority: 'high', due_date: daysFromNow(1) },
  { title: 'Fix the flaky login test', description: 'Fails one run in fifty', priority: 'medium' },
  { title: 'Back up the design files', priority: 'low', due_date: daysFromNow(7) },
];

let browser;
let storageState;
before(async () => {
  browser = await launchBrowser();
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page);
  await seedTasks(page, TWELVE);
  storageState = await context.storageState();
  await context.close();
});
after(async () => { await browser?.close(); });

// The rows wholly inside the viewport, scrolled to the top.
async function wholeRowsInView(page) {
  return page.evaluate(() => {
    window.scrollTo(0, 0);
    return [...document.querySelectorAll('#task-region tbody.task-rows tr[id^="task-"]')].filter((r) => {
      const box = r.getBoundingClientRect();
      return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight;
    }).length;
  });
}

for (const javaScriptEnabled of [true, false]) {
  const js = javaScriptEnabled ? 'js' : 'nojs';
  for (const colorScheme of SCHEMES) {
    test(`first screen, ${js}, ${colorScheme}: 8+ rows at 1280x800, 3+ cards at 375x667`, async () => {
      for (const [viewport, least, mobile] of [[LAPTOP, 8, false], [PHONE, 3, true]]) {
        const context = await newContext(browser, {
          viewport, isMobile: mobile, hasTouch: mobile, colorScheme, javaScriptEnabled, storageState,
        });
        const page = await context.newPage();
        await page.goto('/tasks');
        assert.equal(await rowsLocator(page).count(), 12);
        await screenshot(page, `first-screen-${js}-${colorScheme}`, { fullPage: false });
        const seen = await wholeRowsInView(page);
        assert.ok(seen >= least, `${viewport.width}x${viewport.height} ${js}: ${seen} whole task rows on the first screen, want ${least}`);
        assert.ok(await page.locator('#create-form [name=title]').isVisible(), 'adding is at hand');
        assert.ok(await page.locator('#filters input[name=q]').isVisible(), 'search stays visible');
        assert.equal(await page.locator('#create details.create-options[open]').count(), 0, '"More options" starts folded');
        await assertNoHorizontalScroll(page, `the dashboard at ${viewport.width}px`);
        if (javaScriptEnabled) await axe(page, `the first screen at ${viewport.width}px (${colorScheme})`);
        context.problems.assertNone(`the first screen at ${viewport.width}px`);
        await context.close();
      }
    });
  }
}

test('laptop: one filter bar, row actions inline, chips that clear a filter', async () => {
  const context = await newContext(browser, { viewport: LAPTOP, storageState });
  const page = await context.newPage();
  await page.goto('/tasks');
  // Every filter control is in sight without opening anything, on one line with the search.
  const top = async (sel) => (await page.locator(sel).boundingBox())?.y;
  for (const sel of ['#filters select[name=status]', '#filters select[name=priority]', '#filters select[name=size]']) {
    assert.ok(await page.locator(sel).isVisible(), `${sel} is visible`);
    assert.ok(Math.abs((await top(sel)) - (await top('#filters input[name=q]'))) < 4, `${sel} is on the search line`);
  }
  assert.equal(await page.locator('#filters summary').isVisible(), false, 'no "Filter" button on a laptop');
  await page.locator('#create details.create-options > summary').click();
  assert.ok(await page.locator('#create [name=description]').isVisible(), '"More options" opens below the line');
  await screenshot(page, 'laptop-more-options', { fullPage: false });
  await axe(page, '"More options" open');
  await page.locator('#create details.create-options > summary').click();
  const first = rowsLocator(page).first();
  assert.ok(await first.locator('a[href*="/edit"]').isVisible(), 'Edit is inline');
  assert.ok(await first.locator('a[href*="/delete"]').isVisible(), 'Delete is inline');

  // A filter shows as a chip; the chip takes it off again, and the form follows.
  await tableSwap(page, () => page.selectOption('#filters select[name=priority]', 'high'));
  const chip = page.locator('#task-region .filter-chips a.chip');
  assert.match(await chip.innerText(), /High priority/);
  await screenshot(page, 'laptop-filter-chip', { fullPage: false });
  assert.equal(await rowsLocator(page).count(), 4);
  await tableSwap(page, () => chip.click());
  assert.equal(await page.locator('#task-region .filter-chips').count(), 0);
  assert.equal(await page.inputValue('#filters select[name=priority]'), '');
  assert.ok(!query(page).priority, 'no priority in the URL');
  assert.equal(await rowsLocator(page).count(), 12);
  context.problems.assertNone('the laptop dashboard');
  await context.close();
});

test('phone: a "Filter" disclosure, and each card\'s actions in its "…" menu', async () => {
  const context = await newContext(browser, { viewport: PHONE, isMobile: true, hasTouch: true, storageState });
  const page = await context.newPage();
  await page.goto('/tasks');
  const status = page.locator('#filters select[name=status]');
  assert.equal(await status.isVisible(), false, 'the filters are folded away');
  await page.locator('#filters summary').click();
  await tableSwap(page, () => status.selectOption('open'));
  assert.equal(query(page).status, 'open');

  // Loaded with a filter on, the disclosure is open and the filter is a chip.
  await page.goto('/tasks?status=open');
  assert.ok(await status.isVisible(), 'open by itself when a filter is on');
  assert.match(await page.locator('#task-region .filter-chips a.chip').innerText(), /Open/);
  await assertNoHorizontalScroll(page, 'the open filters at 375px');
  await screenshot(page, 'phone-filters-open', { fullPage: false });
  await axe(page, 'the phone dashboard, filters open');

  // A card: title, then chips; Edit and Delete wait in the menu.
  await page.goto('/tasks');
  const card = row(page, 'Renew the office lease');
  assert.equal(await card.locator('a[href*="/edit"]').isVisible(), false, 'actions are in the menu');
  assert.equal(await card.locator('td:nth-child(6)').isVisible(), false, 'no created date on a card');
  assert.match(await card.locator('td:nth-child(5)').innerText(), /Overdue/);
  await card.locator('details > summary').click();
  assert.ok(await card.locator('a[href*="/edit"]').isVisible(), 'the menu opens');
  await page.keyboard.press('Escape');
  assert.equal(await card.locator('details[open]').count(), 0, 'Escape closes it');
  const first = rowsLocator(page).first();
  await first.locator('details > summary').click();
  await screenshot(page, 'phone-row-menu', { fullPage: false });
  await axe(page, "a card's open menu");
  await page.locator('h1').click();
  assert.equal(await first.locator('details[open]').count(), 0, 'a click elsewhere closes it');
  await card.locator('details > summary').click();
  await card.locator('a[href*="/edit"]').click();
  await page.locator('form[data-inline-edit]').waitFor();
  await settled(page);
  await assertNoHorizontalScroll(page, 'the inline edit at 375px');
  context.problems.assertNone('the phone dashboard');
  await context.close();
});
