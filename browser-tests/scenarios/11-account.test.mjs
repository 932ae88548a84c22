// Scenario 11: the account page. A user signed in on two browsers sees both, signs the other
// one out (in place with JavaScript, by a full page load without), and changes the password,
// with a wrong current password first. axe finds nothing in light or dark; screenshots of
// each state at 1280 and 375 px.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  MOBILE, PASSWORD, SCHEMES, assertNoHorizontalScroll, assertSamePage, axe, launchBrowser,
  markPage, newContext, screenshot, signIn, signUp,
} from '../lib/browser.mjs';

const NEW_PASSWORD = 'a different horse, same battery';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

// No htmx request or swap in flight, and no transition running.
async function settled(page) {
  // Two frames first, so that a style change just made has started its transitions.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.waitForFunction(() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping') &&
    !document.getAnimations().some((a) => a.playState === 'running'));
}

const sessions = (page) => page.locator('#sessions li');
const others = (page) => page.locator('#sessions li:not(:has-text("This session"))');

// The same account signed in on a second browser, which is returned.
async function secondBrowser(email, options = {}) {
  const context = await newContext(browser, options);
  const page = await context.newPage();
  await page.goto('/login');
  await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), signIn(page, email)]);
  return { context, page };
}

async function changePassword(page, current, next) {
  await page.fill('#current_password', current);
  await page.fill('#new_password', next);
  await page.fill('#new_password_confirm', next);
  await page.click('#password button[type=submit]');
}

test('with JavaScript: sessions are signed out and the password changed in place', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  const email = await signUp(page);
  const laptop = await secondBrowser(email);

  await page.click('a:has-text("Account")');
  await page.waitForURL((u) => u.pathname === '/account');
  assert.equal(await sessions(page).count(), 2, 'both browsers are listed');
  assert.equal(await page.locator('#sessions li:has-text("This session")').count(), 1);
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await settled(page); // colours transition when the scheme flips; axe must not measure mid-way
    await axe(page, `the account page (${colorScheme})`);
    await screenshot(page, `account-${colorScheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });

  const marker = await markPage(page);
  await others(page).first().locator('button:has-text("Sign out")').click();
  await page.locator('#sessions .alert-success').waitFor();
  await settled(page);
  await assertSamePage(page, marker, 'signing a session out');
  assert.equal(await sessions(page).count(), 1);
  assert.match(await page.locator('#announcer').innerText(), /Signed out/);
  await laptop.page.goto('/tasks');
  assert.equal(new URL(laptop.page.url()).pathname, '/login', 'the other browser is signed out');

  await changePassword(page, 'not my password', NEW_PASSWORD);
  await page.locator('#current-password-error').waitFor();
  await assertSamePage(page, marker, 'a refused password change');
  assert.equal(await page.inputValue('#new_password'), '', 'passwords are not echoed back');
  await axe(page, 'the password form with an error');
  await screenshot(page, 'account-password-error');

  await changePassword(page, PASSWORD, NEW_PASSWORD);
  await page.locator('#password .alert-success').waitFor();
  await settled(page);
  await assertSamePage(page, marker, 'changing the password');
  assert.match(await page.locator('#password .alert-success').innerText(), /Password changed/);
  await screenshot(page, 'account-password-changed');

  await page.setViewportSize(MOBILE);
  await page.goto('/account');
  await assertNoHorizontalScroll(page, 'the account page at 375 px');
  await screenshot(page, 'account');

  context.problems.assertNone('the account page');
  await laptop.context.close();
  await context.close();
});

test('without JavaScript: every account action is a form, a redirect and a message', async () => {
  const context = await newContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  const email = await signUp(page);
  const phone = await secondBrowser(email);

  await page.goto('/account');
  assert.equal(await sessions(page).count(), 2);
  await screenshot(page, 'account-nojs');
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/account'),
    page.click('button:has-text("Sign out everywhere else")'),
  ]);
  await page.waitForLoadState('load');
  assert.match(await page.locator('.flash[role=status]').innerText(), /Signed out 1 other session/);
  assert.equal(await sessions(page).count(), 1);
  await phone.page.goto('/tasks');
  assert.equal(new URL(phone.page.url()).pathname, '/login');

  await changePassword(page, 'not my password', NEW_PASSWORD);
  await page.locator('#current-password-error').waitFor();
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/account'),
    changePassword(page, PASSWORD, NEW_PASSWORD),
  ]);
  await page.waitForLoadState('load');
  assert.match(await page.locator('.flash[role=status]').innerText(), /Password changed/);
  await page.setViewportSize(MOBILE);
  await screenshot(page, 'account-nojs-changed');

  // Signed out of this very session from the list: back to sign-in, where the new password works.
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/login'),
    page.click('#sessions li:has-text("This session") button:has-text("Sign out")'),
  ]);
  await Promise.all([page.waitForURL((u) => u.pathname === '/tasks'), signIn(page, email, NEW_PASSWORD)]);
  context.problems.assertNone('the account page without JavaScript');
  await phone.context.close();
  await context.close();
});
