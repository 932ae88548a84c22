// Scenario 5: a failed table request swaps the error state into the table region: a human
// message, the request id (also in the server log), a "Try again" that recovers once the fault
// is gone, and no internals. Staged four ways: a network failure, a time-out, a 5xx answered by
// something in front of the app (a proxy), and a real database failure under the server.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, test } from 'node:test';
import {
  DB, assertSamePage, eventually, isHtmx, isTableRequest, launchBrowser, markPage, newContext, row,
  rowTitles, screenshot, seedTasks, settled, signUp, sleep, stats,
} from '../lib/browser.mjs';
import { stopDatabase } from '../lib/db.mjs';

const INTERNALS = /sqlx|sqlite|postgres|panick|stack|backtrace|SELECT |INSERT |UPDATE |relation |\.rs:\d/i;

let browser;
let context;
let page;
before(async () => {
  browser = await launchBrowser();
  context = await newContext(browser);
  // These failures are staged on purpose; Chromium and htmx log them.
  context.problems.allow(/Failed to load resource: (net::ERR_FAILED|the server responded with a status of 50[0-9])/);
  context.problems.allow(/^htmx:(afterRequest|sendError|responseError|timeout|error)\b/);
  context.problems.allow(/Response Status Error Code 50\d/);
  page = await context.newPage();
  await signUp(page);
  await seedTasks(page, [{ title: 'Water the plants' }, { title: 'Call the bank', priority: 'high' }]);
});
after(async () => {
  try {
    context?.problems.assertNone('the dashboard (besides the staged failures)');
  } finally {
    await browser?.close();
  }
});

// A test that failed half-way must not leave its staged fault behind for the next one.
beforeEach(async () => { await page.unrouteAll({ behavior: 'ignoreErrors' }); });

const errorState = () => page.locator('#task-region [data-error-state]');

async function assertErrorShown({ requestId, timeout = 5000 }) {
  const state = errorState();
  await state.waitFor({ timeout });
  const text = await state.innerText();
  assert.doesNotMatch(text, INTERNALS, `the error state shows internals: ${text}`);
  assert.ok(text.trim().length > 20, 'a human message');
  const retry = state.locator('[data-retry]');
  assert.ok(await retry.isVisible(), 'a "Try again" control');
  assert.match(await retry.innerText(), /try again/i);
  assert.equal(await page.locator('#task-region tbody.task-rows tr[id^="task-"]').count(), 0, 'no stale rows around the error');
  assert.notEqual(await page.locator('#task-region').getAttribute('aria-busy'), 'true', 'not left busy');
  if (requestId) {
    const id = (await state.locator('code').innerText()).trim();
    assert.ok(id.length >= 6, `a request id is shown (${id})`);
    await eventually(() => assert.ok(readFileSync(process.env.SERVER_LOG, 'utf8').includes(id), `request id ${id} is in the server log`));
  }
  return state;
}

async function retryRecovers(expected = ['Call the bank', 'Water the plants']) {
  await errorState().locator('[data-retry]').click();
  await eventually(async () => {
    assert.equal(await errorState().count(), 0);
    assert.deepEqual((await rowTitles(page)).sort(), expected);
  }, { timeout: 8000 });
  await settled(page);
}

test('a network failure shows the error state; "Try again" recovers', async () => {
  await page.goto('/tasks');
  const marker = await markPage(page);
  await page.route('**/tasks**', (route) => (isTableRequest(route.request()) ? route.abort('failed') : route.continue()));
  await page.selectOption('#filters select[name=priority]', 'high');
  await assertErrorShown({ requestId: false });
  await screenshot(page, 'dashboard-error-network');
  await page.unroute('**/tasks**');
  await retryRecovers(['Call the bank']);
  await assertSamePage(page, marker, 'the error state and retry');
});

test('a time-out shows the error state; "Try again" recovers', async () => {
  await page.goto('/tasks');
  await page.evaluate(() => { window.htmx.config.timeout = 800; }); // instead of waiting 15 s
  let hold = true;
  await page.route('**/tasks**', async (route) => {
    if (hold && isTableRequest(route.request())) await sleep(2500);
    await route.continue().catch(() => {});
  });
  await page.selectOption('#filters select[name=status]', 'open');
  await assertErrorShown({ requestId: false });
  hold = false;
  await retryRecovers();
  await page.unroute('**/tasks**');
});

test('a 5xx from something in front of the app (a proxy) shows the error state, not its page', async () => {
  await page.goto('/tasks');
  let fail = true;
  await page.route('**/tasks**', (route) => (fail && isTableRequest(route.request())
    ? route.fulfill({ status: 502, contentType: 'text/html', body: '<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>' })
    : route.continue()));
  await page.selectOption('#filters select[name=status]', 'open');
  await assertErrorShown({ requestId: false });
  assert.doesNotMatch(await page.locator('#task-region').innerText(), /nginx/, 'the proxy\'s page is not swapped into the table');
  fail = false;
  await retryRecovers();
  await page.unroute('**/tasks**');
});

test(`the database failing under the server (${DB}) shows the error state with a request id; "Try again" recovers`, async () => {
  await page.goto('/tasks');
  const marker = await markPage(page);
  const before = await stats(page);
  const restart = await stopDatabase();
  let recovered = false;
  try {
    if (DB === 'postgres') {
      // A read: any table refresh.
      const [response] = await Promise.all([
        page.waitForResponse((r) => isTableRequest(r.request()), { timeout: 15_000 }),
        page.selectOption('#filters select[name=status]', 'open'),
      ]);
      assert.equal(response.status(), 503, 'a database outage answers 503');
      await assertErrorShown({ requestId: true, timeout: 12_000 });
      await screenshot(page, 'dashboard-error-database');

      // Without JavaScript the same failure is a full error page with the status.
      const nojs = await browser.newContext({ javaScriptEnabled: false, storageState: await context.storageState() });
      const plain = await nojs.newPage();
      const res = await plain.goto(`${new URL(page.url()).origin}/tasks`);
      assert.equal(res.status(), 503);
      assert.ok(res.headers()['retry-after'], 'Retry-After on a 503');
      await plain.locator('[data-error-state]').waitFor();
      assert.doesNotMatch(await plain.locator('main').innerText(), INTERNALS);
      await nojs.close();
    } else {
      // SQLite readers never block: a write waits out the busy time-out and fails.
      const [response] = await Promise.all([
        page.waitForResponse((r) => isHtmx(r.request()) && r.request().method() === 'POST', { timeout: 15_000 }),
        row(page, 'Water the plants').locator('button[formaction$="/toggle"]').click(),
      ]);
      assert.ok(response.status() >= 500, `a locked database answers 5xx, not ${response.status()}`);
      await assertErrorShown({ requestId: true, timeout: 12_000 });
      await screenshot(page, 'dashboard-error-database');
    }
    await restart();
    recovered = true;
    await retryRecovers();
    assert.deepEqual(await stats(page), before, 'nothing changed');
    await assertSamePage(page, marker, 'the database error and retry');
  } finally {
    if (!recovered) await restart();
  }
});
