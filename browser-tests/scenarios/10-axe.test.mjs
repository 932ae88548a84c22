// Scenario 10: axe-core finds no violations on the empty dashboard, a full dashboard (with
// done, overdue and every priority), the inline edit, "nothing matches" and the error state,
// and the full-page error, in light and dark. (Sign-in and sign-up are checked in 01-auth.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  SAMPLE_DONE, SAMPLE_TASKS, SCHEMES, axe, completeTasks, isTableRequest, launchBrowser,
  newContext, rowsLocator, seedTasks, settled, signUp,
} from '../lib/browser.mjs';

let browser;
let emptyState;
let fullState;
before(async () => {
  browser = await launchBrowser();
  const context = await newContext(browser);
  const page = await context.newPage();
  await signUp(page);
  emptyState = await context.storageState();
  await context.clearCookies();
  await signUp(page);
  await seedTasks(page, [...SAMPLE_TASKS, ...Array.from({ length: 6 }, (_, i) => ({ title: `Errand ${i + 1}`, priority: 'low' }))]);
  await completeTasks(page, SAMPLE_DONE);
  fullState = await context.storageState();
  await context.close();
});
after(async () => { await browser?.close(); });

for (const colorScheme of SCHEMES) {
  test(`axe: the dashboard's views (${colorScheme})`, async () => {
    const context = await newContext(browser, { colorScheme, storageState: emptyState });
    const page = await context.newPage();
    await page.goto('/tasks');
    await page.locator('[data-state=empty-none]').waitFor();
    await axe(page, `the empty dashboard (${colorScheme})`);
    await context.close();

    const full = await newContext(browser, { colorScheme, storageState: fullState });
    full.problems.allow(/Failed to load resource: net::ERR_FAILED/);
    full.problems.allow(/^htmx:(afterRequest|sendError|error)\b/);
    const p = await full.newPage();
    await p.goto('/tasks');
    await axe(p, `the full dashboard (${colorScheme})`);

    await rowsLocator(p).first().locator('a[href*="/edit"]').click();
    await p.locator('form[data-inline-edit]').waitFor();
    await axe(p, `the inline edit (${colorScheme})`);

    await p.goto('/tasks?q=nothing-like-this');
    await p.locator('[data-state=empty-filtered]').waitFor();
    await axe(p, `"nothing matches" (${colorScheme})`);

    await p.goto('/tasks');
    await p.route('**/tasks**', (route) => (isTableRequest(route.request()) ? route.abort('failed') : route.continue()));
    await p.selectOption('#filters select[name=status]', 'open');
    await p.locator('#task-region [data-error-state]').waitFor();
    await settled(p);
    await axe(p, `the error state (${colorScheme})`);
    await p.unroute('**/tasks**');

    await p.goto('/tasks?size=10&sort=title');
    await p.locator('nav[aria-label=Pagination] a[rel=next]').click();
    await p.waitForURL(/after=/);
    await settled(p);
    await axe(p, `a second page, sorted (${colorScheme})`);

    // The full-page error a request without JavaScript gets (here: a parameter given twice,
    // 400), with the app's header; and the view an unreadable page size falls back to.
    full.problems.allow(/Failed to load resource: the server responded with a status of 400/);
    const res = await p.goto('/tasks?status=open&status=done');
    assert.equal(res.status(), 400);
    await p.locator('[data-error-state]').waitFor();
    await p.locator('header.nav').waitFor();
    await axe(p, `the full-page error (${colorScheme})`);
    assert.equal((await p.goto('/tasks?size=5')).status(), 200);
    await p.locator('[data-ignored-view]').waitFor();
    await axe(p, `a view with an ignored page size (${colorScheme})`);
    full.problems.assertNone('the dashboard');
    await full.close();
  });
}
