// Scenario 17: the README's pictures. One account with a believable list, shot as the README
// shows it: the dashboard at desktop width (light and dark), the phone's card view, the
// account page. Written to `screenshots/readme-*` like every other shot; `docs/screenshots.sh`
// runs this file alone and copies them, compressed, to `docs/` (so they never go stale: the
// suite draws them from the running app). axe checks each state it draws.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  MOBILE, axe, completeTasks, daysFromNow, launchBrowser, newContext, screenshot, seedTasks, signUp,
} from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

const TASKS = [
  { title: 'Send the Q3 invoices', description: 'Acme, Globex and Initech', priority: 'high', due_date: daysFromNow(-2) },
  { title: 'Renew the TLS certificate', priority: 'high', due_date: daysFromNow(3) },
  { title: 'Review pull request #482', description: 'The paging rewrite', priority: 'medium', due_date: daysFromNow(1) },
  { title: 'Book flights for the conference in Lisbon', priority: 'medium', due_date: daysFromNow(21) },
  { title: 'Write onboarding notes for the new hire', priority: 'medium' },
  { title: 'Order new laptop chargers', priority: 'low' },
  { title: 'Water the office plants', priority: 'low', due_date: daysFromNow(0) },
  { title: 'Plan the team offsite', description: 'Venue, travel, agenda and a budget', priority: 'medium', due_date: daysFromNow(30) },
];

test('the README\'s screenshots: dashboard light and dark, phone cards, account page', async () => {
  const context = await newContext(browser, { viewport: { width: 1280, height: 800 }, timezoneId: 'Europe/Berlin' });
  const page = await context.newPage();
  await signUp(page, 'alex@example.com');
  await seedTasks(page, [...TASKS].reverse());
  await completeTasks(page, ['Order new laptop chargers', 'Write onboarding notes for the new hire']);
  for (const colorScheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme });
    await page.goto('/tasks');
    await axe(page, `the README's dashboard (${colorScheme})`);
    await screenshot(page, `readme-dashboard-${colorScheme}`, { fullPage: false });
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(MOBILE);
  await page.goto('/tasks');
  await screenshot(page, 'readme-phone', { fullPage: false });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/account');
  assert.match(await page.locator('#time-zone').innerText(), /Europe\/Berlin/);
  await axe(page, 'the README\'s account page');
  await screenshot(page, 'readme-account', { fullPage: false });
  context.problems.assertNone('the README\'s views');
  await context.close();
});
