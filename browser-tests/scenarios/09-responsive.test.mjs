// Scenario 8: at 375 px the table becomes a card list and nothing scrolls sideways; the dark
// colour scheme is really dark and readable. Also writes the screenshots of the main views at
// 1280 px and 375 px, light and dark, to screenshots/.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  DESKTOP, MOBILE, SAMPLE_DONE, isTableRequest, SAMPLE_TASKS, SCHEMES, assertNoHorizontalScroll, completeTasks,
  launchBrowser, newContext, rowsLocator, screenshot, seedTasks, settled, signUp,
} from '../lib/browser.mjs';

let browser;
let storageState;
let emptyState;
before(async () => {
  browser = await launchBrowser();
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page);
  await seedTasks(page, SAMPLE_TASKS);
  await completeTasks(page, SAMPLE_DONE);
  storageState = await context.storageState();
  await context.clearCookies();
  await signUp(page);
  emptyState = await context.storageState();
  await context.close();
});
after(async () => { await browser?.close(); });

// Relative luminance of a CSS rgb() colour (WCAG formula).
function luminance(rgb) {
  const [r, g, b] = rgb.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

for (const colorScheme of SCHEMES) {
  test(`375 px (${colorScheme}): cards, no sideways scroll`, async () => {
    const context = await newContext(browser, { viewport: MOBILE, isMobile: true, hasTouch: true, colorScheme, storageState });
    const page = await context.newPage();
    await page.goto('/tasks');
    await assertNoHorizontalScroll(page, 'the dashboard at 375px');
    const layout = await page.evaluate(() => {
      const rows = [...document.querySelectorAll('#task-region tbody.task-rows tr[id^="task-"]')];
      const head = document.querySelector('#task-region thead');
      return {
        rowDisplays: [...new Set(rows.map((r) => getComputedStyle(r).display))],
        headVisible: !!head && head.getClientRects().length > 0 && getComputedStyle(head).display !== 'none'
          && head.getBoundingClientRect().height > 1,
        widest: Math.max(...rows.map((r) => r.getBoundingClientRect().right)),
      };
    });
    assert.ok(!layout.rowDisplays.includes('table-row'), `rows are cards, not table rows (${layout.rowDisplays})`);
    assert.equal(layout.headVisible, false, 'the column headers give way to the cards');
    assert.ok(layout.widest <= MOBILE.width, `cards fit the screen (right edge ${layout.widest})`);
    await screenshot(page, `dashboard-full-${colorScheme}`);

    // Inline edit and the filtered-empty state fit too.
    await rowsLocator(page).first().locator('details > summary').click();
    await rowsLocator(page).first().locator('a[href*="/edit"]').click();
    await page.locator('form[data-inline-edit]').waitFor();
    await assertNoHorizontalScroll(page, 'the inline edit at 375px');
    if (colorScheme === 'light') await screenshot(page, 'dashboard-inline-edit');
    await page.goto('/tasks?q=nothing-like-this');
    await page.locator('[data-state=empty-filtered]').waitFor();
    await assertNoHorizontalScroll(page, '"nothing matches" at 375px');
    if (colorScheme === 'light') await screenshot(page, 'dashboard-nothing-matches');

    // The error state (a network failure) fits too.
    context.problems.allow(/Failed to load resource: net::ERR_FAILED/);
    context.problems.allow(/^htmx:(afterRequest|sendError)\b/);
    await page.goto('/tasks');
    await page.route('**/tasks**', (route) => (isTableRequest(route.request()) ? route.abort('failed') : route.continue()));
    await page.locator('#filters summary').click();
    await page.selectOption('#filters select[name=status]', 'open');
    await page.locator('#task-region [data-error-state]').waitFor();
    await settled(page);
    await assertNoHorizontalScroll(page, 'the error state at 375px');
    await screenshot(page, `dashboard-error-${colorScheme}`);
    context.problems.assertNone('the dashboard at 375px');
    await context.close();

    // And the empty dashboard of a new account.
    const fresh = await newContext(browser, { viewport: MOBILE, isMobile: true, hasTouch: true, colorScheme, storageState: emptyState });
    const empty = await fresh.newPage();
    await empty.goto('/tasks');
    await empty.locator('[data-state=empty-none]').waitFor();
    await assertNoHorizontalScroll(empty, 'the empty dashboard at 375px');
    await screenshot(empty, `dashboard-empty-${colorScheme}`);
    fresh.problems.assertNone('the empty dashboard at 375px');
    await fresh.close();
  });
}

test('1280 px: the table, light and dark; dark really is dark', async () => {
  const sidewaysScroll = {}; // checked last, so that every screenshot is still taken
  for (const colorScheme of SCHEMES) {
    const context = await newContext(browser, { viewport: DESKTOP, colorScheme, storageState });
    const page = await context.newPage();
    await page.goto('/tasks');
    await settled(page);
    await screenshot(page, `dashboard-full-${colorScheme}`);
    sidewaysScroll[colorScheme] = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(await page.locator('#task-region thead').isVisible(), 'a real table on wide screens');
    const colours = await page.evaluate(() => {
      const bg = (el) => {
        for (; el; el = el.parentElement) {
          const c = getComputedStyle(el).backgroundColor;
          if (c && !/rgba\(0, 0, 0, 0\)|transparent/.test(c)) return c;
        }
        return 'rgb(255, 255, 255)';
      };
      const title = document.querySelector('#task-region .task-title');
      return { body: bg(document.body), text: getComputedStyle(title).color, card: bg(title) };
    });
    const [body, text, card] = [luminance(colours.body), luminance(colours.text), luminance(colours.card)];
    if (colorScheme === 'dark') {
      assert.ok(body < 0.05 && card < 0.1, `dark backgrounds (${JSON.stringify(colours)})`);
      assert.ok(text > 0.5, `light text on dark (${colours.text})`);
    } else {
      assert.ok(body > 0.8, `light background (${colours.body})`);
    }
    const contrast = (Math.max(text, card) + 0.05) / (Math.min(text, card) + 0.05);
    assert.ok(contrast >= 4.5, `task titles are readable: contrast ${contrast.toFixed(2)}`);
    context.problems.allow(/Failed to load resource: net::ERR_FAILED/);
    context.problems.allow(/^htmx:(afterRequest|sendError)\b/);
    await page.route('**/tasks**', (route) => (isTableRequest(route.request()) ? route.abort('failed') : route.continue()));
    await page.selectOption('#filters select[name=status]', 'open');
    await page.locator('#task-region [data-error-state]').waitFor();
    await settled(page);
    await screenshot(page, `dashboard-error-${colorScheme}`);
    context.problems.assertNone('the dashboard at 1280px');
    await context.close();
  }
  assert.deepEqual(sidewaysScroll, { light: 0, dark: 0 }, 'the dashboard at 1280px scrolls sideways by this many px');
});
