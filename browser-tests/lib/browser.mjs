// Shared helpers for the scenarios: one Chromium per test file, contexts that record console
// errors and CSP violations, sign-up, axe-core, screenshots.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = process.env.BASE_URL;
if (!BASE) throw new Error('BASE_URL is not set: run the suite with `npm run test:browser`');
export const DB = process.env.BROWSER_DB || 'sqlite';
const SHOTS = process.env.SCREENSHOT_DIR || 'screenshots';
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const PASSWORD = 'correct horse battery staple';
export const DESKTOP = { width: 1280, height: 900 };
export const MOBILE = { width: 375, height: 812 };

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// Console errors, uncaught exceptions and CSP violations, per context. Chromium reports a
// failed response ("Failed to load resource: ... status of 422") as a console error; 422 is the
// app's normal answer to an invalid form, so that one is allowed everywhere. Scenarios that
// stage failures call `problems.allow(/pattern/)` for what they expect.
class Problems {
  constructor() { this.list = []; this.allowed = [/Failed to load resource: the server responded with a status of 422/]; }
  allow(re) { this.allowed.push(re); }
  add(kind, text, url) {
    if (this.allowed.some((re) => re.test(text))) return;
    this.list.push(`${kind}: ${text}${url ? ` (${url})` : ''}`);
  }
  assertNone(what = 'the pages') {
    assert.deepEqual(this.list, [], `console errors / CSP violations on ${what}`);
  }
}

// Live updates (GET /tasks/events) are off unless a scenario asks for them ({ live: true }):
// the other scenarios change tasks behind a page's back on purpose (a task "deleted
// elsewhere") and would otherwise race the page's own refresh. A 204 tells EventSource to
// stop, without retrying.
export async function newContext(browser, { live = false, ...options } = {}) {
  const context = await browser.newContext({ viewport: DESKTOP, baseURL: BASE, ...options });
  if (!live) await context.route('**/tasks/events', (route) => route.fulfill({ status: 204, body: '' }));
  const problems = new Problems();
  context.problems = problems;
  await context.exposeBinding('__reportCsp', (_src, text) => problems.add('CSP violation', text));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__reportCsp?.(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  const watch = (page) => {
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.add('console.error', msg.text(), page.url());
    });
    page.on('pageerror', (err) => problems.add('uncaught', err.message, page.url()));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  context.setDefaultTimeout(10_000);
  return context;
}

export function uniqueEmail(tag = 'user') {
  return `${tag}-${randomBytes(5).toString('hex')}@example.com`;
}

// Signs up a new account through the real form and waits for the dashboard.
export async function signUp(page, email = uniqueEmail()) {
  await page.goto('/signup');
  await page.fill('#email', email);
  await page.fill('#password', PASSWORD);
  await page.fill('#password_confirm', PASSWORD);
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/tasks'),
    page.click('button[type=submit]:has-text("Create account")'),
  ]);
  await page.waitForLoadState('load');
  return email;
}

export async function signIn(page, email, password = PASSWORD) {
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button[type=submit]:has-text("Sign in")');
}

// A marker on window survives htmx swaps and disappears on any full page load.
export async function markPage(page) {
  await page.evaluate(() => { window.__noReload = Math.random().toString(36).slice(2); });
  return page.evaluate(() => window.__noReload);
}
export async function assertSamePage(page, marker, what = 'the action') {
  assert.equal(await page.evaluate(() => window.__noReload), marker, `${what} reloaded the page instead of swapping in place`);
}

// axe-core, injected with evaluate (the page's CSP allows only same-origin scripts).
export async function axe(page, label) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')} :: ${n.failureSummary?.split('\n').slice(1).join(' ').trim()}`),
    }));
  });
  assert.deepEqual(result, [], `axe violations on ${label}:\n${JSON.stringify(result, null, 2)}`);
}

export async function screenshot(page, name, { fullPage = true } = {}) {
  const { width } = page.viewportSize();
  // caret: 'initial' -- hiding the caret leaves style="" on every input, which htmx then copies
  // while settling a swap (a CSP violation caused by the test, not the app).
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage, caret: 'initial' });
}

export async function assertNoHorizontalScroll(page, label) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `${label}: page scrolls sideways (scrollWidth ${scrollWidth} > ${innerWidth})`);
}

// Both colour schemes, for axe and screenshots.
export const SCHEMES = ['light', 'dark'];

// Retries an assertion until it passes (the page updates asynchronously after htmx swaps).
export async function eventually(check, { timeout = 5000, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(interval);
    }
  }
}

// --- The dashboard -------------------------------------------------------------------------

// An htmx request (fragment) to the dashboard's URLs.
export const isHtmx = (request) => request.headers()['hx-request'] === 'true';
export const isTableRequest = (request) =>
  isHtmx(request) && request.method() === 'GET' && new URL(request.url()).pathname === '/tasks';

export async function stats(page) {
  const read = async (name) => Number((await page.locator(`#stats [data-stat=${name}]`).innerText()).replace(/\D+/g, ''));
  return { total: await read('total'), open: await read('open'), done: await read('done'), overdue: await read('overdue') };
}

export function rowsLocator(page) {
  return page.locator('#task-region tbody.task-rows tr[id^="task-"]');
}
export async function rowTitles(page) {
  return page.locator('#task-region tbody.task-rows tr[id^="task-"] .task-title').allInnerTexts().then((t) => t.map((s) => s.trim()));
}
export function row(page, title) {
  return page.locator('#task-region tbody.task-rows tr[id^="task-"]').filter({
    has: page.locator('.task-title', { hasText: title }),
  });
}

// Waits until no table request is in flight and the region is settled.
export async function settled(page) {
  await page.waitForFunction(() => {
    const r = document.getElementById('task-region');
    // Also wait out CSS transitions: rows swapped in while the region was still marked busy
    // fade from dimmed to full opacity, and axe would measure their contrast mid-fade.
    const moving = document.getAnimations().some((a) => a.playState === 'running');
    return r && r.getAttribute('aria-busy') !== 'true' && !moving &&
      !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping');
  });
}

// Creates tasks quickly through the same POST /tasks the form uses (CSRF token and Origin
// included, as a browser sends them), then reloads the dashboard. Works with JS on or off.
export async function seedTasks(page, tasks) {
  const csrf = await page.locator('input[name=csrf_token]').first().inputValue();
  const origin = new URL(page.url()).origin;
  for (const t of tasks) {
    const res = await page.request.post('/tasks', {
      form: { csrf_token: csrf, title: t.title, description: t.description ?? '', priority: t.priority ?? 'medium', due_date: t.due_date ?? '', tags: t.tags ?? '' },
      headers: { Origin: origin },
      maxRedirects: 0,
    });
    assert.ok(res.status() === 303 || res.status() === 302 || res.ok(), `seeding "${t.title}" answered ${res.status()}`);
  }
  await page.reload();
}

// Signs this browser's session out from another browser holding the same cookies (as "sign
// out everywhere" or a revoke on another device does).
export async function revokeElsewhere(browser, context, page) {
  const elsewhere = await browser.newContext({ storageState: await context.storageState(), baseURL: new URL(page.url()).origin });
  const tab = await elsewhere.newPage();
  await tab.goto('/tasks');
  await tab.click('button:has-text("Sign out")');
  await tab.waitForURL((u) => u.pathname === '/login');
  await elsewhere.close();
}

// Opens the create form's "More options" (notes, priority, due date) unless it is open.
export async function moreOptions(page) {
  const details = page.locator('#create details.create-options');
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
}

// Ticks rows by title and runs a bulk action through the bulk form.
export async function selectRows(page, titles) {
  for (const title of titles) await row(page, title).locator('input[name=ids]').check();
}

export async function clearAnnouncer(page) {
  await page.evaluate(() => { document.getElementById('announcer').textContent = ''; });
}
export async function announced(page) {
  return eventually(async () => {
    const text = (await page.locator('#announcer').innerText()).trim();
    assert.ok(text.length > 0, 'nothing was announced in #announcer');
    return text;
  });
}

export const today = () => new Date().toISOString().slice(0, 10);
export const daysFromNow = (n) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

// Runs an action that should refresh the table through htmx, and waits for the swap.
export async function tableSwap(page, action) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => isTableRequest(r.request()), { timeout: 10_000 }),
    action(),
  ]);
  await response.finished();
  await settled(page);
  return response;
}

// Marks tasks done through the same POST the toggle button sends (ids read from the page).
export async function completeTasks(page, titles) {
  const csrf = await page.locator('input[name=csrf_token]').first().inputValue();
  const origin = new URL(page.url()).origin;
  for (const title of titles) {
    const id = await row(page, title).getAttribute('id').then((id) => id && id.slice('task-'.length));
    assert.ok(id, `no row for "${title}"`);
    const res = await page.request.post(`/tasks/${id}/toggle`, {
      form: { csrf_token: csrf }, headers: { Origin: origin }, maxRedirects: 0,
    });
    assert.ok(res.status() < 400, `toggling "${title}" answered ${res.status()}`);
  }
  await page.reload();
}

export function query(page) {
  return Object.fromEntries(new URL(page.url()).searchParams);
}

// Types into the search box like a person and waits for the table answering that text.
export async function search(page, text) {
  const box = page.locator('#filters input[name=q]');
  const [response] = await Promise.all([
    page.waitForResponse((r) => isTableRequest(r.request()) && (new URL(r.url()).searchParams.get('q') ?? '') === text),
    (async () => {
      await box.fill('');
      await box.pressSequentially(text, { delay: 20 });
    })(),
  ]);
  await response.finished();
  await settled(page);
  return response;
}

// A dashboard with something of everything: open, done, overdue, each priority, a long title.
export const SAMPLE_TASKS = [
  { title: 'Prepare the board meeting slides', description: 'Q3 numbers, hiring plan', priority: 'high', due_date: daysFromNow(2) },
  { title: 'Renew the office lease', priority: 'high', due_date: daysFromNow(-4) },
  { title: 'Review pull request #482', priority: 'medium', due_date: daysFromNow(1) },
  { title: 'Order new laptop chargers', priority: 'low' },
  { title: 'https://example.com/a/very/long/link/that/someone/pasted/into/the/title/without/any/spaces/at/all', priority: 'low' },
  { title: 'Book flights for the conference', priority: 'medium', due_date: daysFromNow(20) },
  { title: 'Write onboarding guide', description: 'For the two new engineers', priority: 'medium' },
];
export const SAMPLE_DONE = ['Review pull request #482', 'Order new laptop chargers'];

// "No CSP violations" only means something under a strict policy: check it is there.
export function assertStrictCsp(response, label) {
  const csp = response.headers()['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self'(;|$)/, `${label}: a strict script-src (${csp || 'no CSP header'})`);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, `${label}: no unsafe-* in the CSP`);
}

// Back or forward, then wait until both the URL and the rows are those expected (htmx may
// restore the view in place or, on a history-cache miss, reload the page).
export async function historyStep(page, direction, { url, rows }) {
  await (direction === 'back' ? page.goBack() : page.goForward());
  await eventually(async () => {
    assert.equal(page.url(), url);
    assert.deepEqual(await rowTitles(page), rows);
  }, { timeout: 8000 });
  await page.waitForLoadState('load');
  await settled(page);
}
