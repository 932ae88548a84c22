// Scenario 16: each user's own day. Sign-up picks up the browser's time zone (emulated, with
// JavaScript on); with JavaScript off the account starts in UTC and the form says so, and the
// account page's plain form changes the zone. The zone picker's filter box (JavaScript on)
// narrows the list and picks the first match. axe finds nothing on the account page.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { axe, launchBrowser, newContext, screenshot, signUp } from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

// The caller's account as the API reports it (the cookie works for GET).
async function me(page) {
  const res = await page.request.get('/api/me');
  assert.equal(res.status(), 200);
  return res.json();
}

test('sign-up takes the browser\'s zone; the picker filters as you type', async () => {
  const context = await newContext(browser, { timezoneId: 'America/Los_Angeles' });
  const page = await context.newPage();
  await page.goto('/signup');
  assert.equal(await page.locator('input[name=time_zone]').inputValue(), 'America/Los_Angeles');
  assert.match(await page.locator('#time-zone-note').innerText(), /America\/Los_Angeles/);
  const email = await signUp(page);
  assert.deepEqual(await me(page), { email, time_zone: 'America/Los_Angeles' });

  await page.goto('/account');
  assert.equal(await page.locator('#time_zone').inputValue(), 'America/Los_Angeles');
  assert.match(await page.locator('#time-zone').innerText(), /in America\/Los_Angeles/);
  await axe(page, 'the account page with its zone picker');
  await screenshot(page, 'account-time-zone');
  // The filter box: a few letters pick the first match; saving applies it in place.
  const filter = page.getByLabel('Filter time zones');
  await filter.fill('kolk');
  assert.equal(await page.locator('#time_zone').inputValue(), 'Asia/Kolkata');
  assert.equal(await page.locator('#time_zone option:not([hidden])').count(), 1);
  await page.click('#time-zone button[type=submit]');
  await page.locator('#time-zone .alert-success').waitFor();
  assert.match(await page.locator('#time-zone').innerText(), /Time zone set to Asia\/Kolkata/);
  assert.match(await page.locator('#sessions').innerText(), /IST/, 'the sessions list is in the new zone');
  assert.equal((await me(page)).time_zone, 'Asia/Kolkata');
  context.problems.assertNone('sign-up and the zone picker');
  await context.close();
});

test('without JavaScript: UTC, said so, and the account page changes it', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false, timezoneId: 'Asia/Tokyo' });
  const page = await context.newPage();
  await page.goto('/signup');
  assert.equal(await page.locator('input[name=time_zone]').inputValue(), '');
  assert.match(await page.locator('#time-zone-note').innerText(), /Dates will show in UTC/);
  const email = await signUp(page);
  assert.deepEqual(await me(page), { email, time_zone: 'UTC' });

  await page.goto('/account');
  assert.equal(await page.getByLabel('Filter time zones').count(), 0, 'no filter box without JavaScript');
  await page.selectOption('#time_zone', 'Asia/Tokyo');
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/account'),
    page.click('#time-zone button[type=submit]'),
  ]);
  await page.waitForLoadState('load');
  assert.match(await page.locator('body').innerText(), /Time zone set to Asia\/Tokyo/);
  assert.equal(await page.locator('#time_zone').inputValue(), 'Asia/Tokyo');
  assert.match(await page.locator('#sessions').innerText(), /JST/);
  assert.equal((await me(page)).time_zone, 'Asia/Tokyo');
  context.problems.assertNone('the account page without JavaScript');
  await context.close();
});
