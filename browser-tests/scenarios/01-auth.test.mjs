// Accounts in a real browser, with JavaScript on (htmx-enhanced forms) and off (plain POST
// forms): sign up, sign out, sign in (with `next=`), and the error messages on the way.
// Also: axe-core on the sign-in and sign-up pages (light and dark), no sideways scroll at
// 375 px, and no console errors or CSP violations anywhere (scenarios 7-10 for these pages).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  BASE, MOBILE, assertStrictCsp, PASSWORD, SCHEMES, assertNoHorizontalScroll, assertSamePage, axe, launchBrowser,
  markPage, newContext, screenshot, signIn, signUp, uniqueEmail,
} from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

for (const js of [true, false]) {
  describe(`accounts with JavaScript ${js ? 'on' : 'off'}`, () => {
    test('sign up (with a validation error first), sign out, sign in again', async () => {
      const context = await newContext(browser, { javaScriptEnabled: js });
      const page = await context.newPage();
      const email = uniqueEmail(js ? 'js' : 'nojs');

      await page.goto('/signup');
      await assert.doesNotReject(page.waitForSelector('h1:has-text("Create your account")'));
      const marker = js ? await markPage(page) : null;
      await page.fill('#email', email);
      await page.fill('#password', PASSWORD);
      await page.fill('#password_confirm', `${PASSWORD} (typo)`);
      await page.click('button:has-text("Create account")');
      const error = page.locator('#signup-form .field-error');
      await error.waitFor();
      assert.match(await error.innerText(), /match/i);
      assert.equal(await page.inputValue('#email'), email, 'the email typed is kept');
      assert.equal(await page.getAttribute('#password_confirm', 'aria-invalid'), 'true');
      if (js) await assertSamePage(page, marker, 'a sign-up validation error');

      await page.fill('#password', PASSWORD);
      await page.fill('#password_confirm', PASSWORD);
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/tasks'),
        page.click('button:has-text("Create account")'),
      ]);
      await page.locator('header.nav').getByText(email).waitFor({ state: 'attached' });

      // Signing up again with the same address is refused with a clear message.
      const other = await context.browser().newContext({ javaScriptEnabled: js, baseURL: page.url() });
      const again = await other.newPage();
      await again.goto('/signup');
      await again.fill('#email', email.toUpperCase());
      await again.fill('#password', PASSWORD);
      await again.fill('#password_confirm', PASSWORD);
      await again.click('button:has-text("Create account")');
      await again.locator('#signup-form .field-error').waitFor();
      assert.match(await again.locator('#signup-form .field-error').innerText(), /already/i);
      await other.close();

      await Promise.all([
        page.waitForURL((u) => u.pathname === '/login'),
        page.click('button:has-text("Sign out")'),
      ]);
      assert.match(await page.locator('.flash[role=status]').innerText(), /signed out/i);

      // After signing out, the dashboard is out of reach again.
      await page.goto('/tasks');
      assert.equal(new URL(page.url()).pathname, '/login');

      await signIn(page, email, 'not the password');
      const alert = page.locator('#login-form .alert-error[role=alert]');
      await alert.waitFor();
      assert.match(await alert.innerText(), /incorrect email or password/i);
      assert.equal(await page.inputValue('#email'), email);

      await Promise.all([
        page.waitForURL((u) => u.pathname === '/tasks'),
        signIn(page, email),
      ]);
      await page.locator('header.nav').getByText(email).waitFor({ state: 'attached' });
      context.problems.assertNone(`the ${js ? 'JS' : 'no-JS'} account pages`);
      await context.close();
    });

    test('a signed-out visit goes to sign-in with next=, and signing in returns there', async () => {
      const context = await newContext(browser, { javaScriptEnabled: js });
      const page = await context.newPage();
      const email = await signUp(page);
      await page.click('button:has-text("Sign out")');
      await page.waitForURL((u) => u.pathname === '/login');

      await page.goto('/tasks?status=open');
      const url = new URL(page.url());
      assert.equal(url.pathname, '/login');
      assert.equal(url.searchParams.get('next'), '/tasks?status=open');
      assert.equal(await page.inputValue('input[name=next]'), '/tasks?status=open');
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/tasks'),
        signIn(page, email),
      ]);
      assert.equal(new URL(page.url()).search, '?status=open');

      // An off-site next= is not followed.
      await page.click('button:has-text("Sign out")');
      await page.waitForURL((u) => u.pathname === '/login');
      await page.goto('/login?next=//evil.example/steal');
      await Promise.all([
        page.waitForURL((u) => u.pathname !== '/login'),
        signIn(page, email),
      ]);
      assert.equal(new URL(page.url()).origin, BASE, `followed an off-site next=: ${page.url()}`);
      assert.equal(new URL(page.url()).pathname, '/tasks');
      context.problems.assertNone('the sign-in redirect pages');
      await context.close();
    });
  });
}

describe('sign-in and sign-up pages: accessibility, small screens, dark mode', () => {
  for (const colorScheme of SCHEMES) {
    test(`axe finds nothing on sign-in and sign-up (${colorScheme})`, async () => {
      const context = await newContext(browser, { colorScheme });
      const page = await context.newPage();
      for (const path of ['/login', '/signup']) {
        assertStrictCsp(await page.goto(path), path);
        await axe(page, `${path} (${colorScheme})`);
      }
      // And with the error messages showing.
      await page.goto('/signup');
      await page.fill('#email', 'not-an-email@');
      await page.fill('#password', 'short');
      await page.fill('#password_confirm', 'other');
      await page.evaluate(() => document.querySelector('#signup-form').setAttribute('novalidate', ''));
      await page.click('button:has-text("Create account")');
      await page.locator('#signup-form .field-error').first().waitFor();
      await axe(page, `/signup with errors (${colorScheme})`);
      await page.goto('/login');
      await signIn(page, uniqueEmail('nobody'), 'whatever-password');
      await page.locator('#login-form .alert-error').waitFor();
      await axe(page, `/login with an error (${colorScheme})`);
      context.problems.assertNone('the sign-in pages');
      await context.close();
    });
  }

  test('at 375 px the pages fit the screen; screenshots light and dark', async () => {
    for (const colorScheme of SCHEMES) {
      for (const viewport of [MOBILE, { width: 1280, height: 900 }]) {
        const context = await newContext(browser, { viewport, colorScheme, isMobile: viewport.width < 768, hasTouch: viewport.width < 768 });
        const page = await context.newPage();
        for (const [path, name] of [['/login', 'sign-in'], ['/signup', 'sign-up']]) {
          await page.goto(path);
          await assertNoHorizontalScroll(page, `${path} at ${viewport.width}px`);
          await screenshot(page, `${name}-${colorScheme}`);
        }
        context.problems.assertNone('the sign-in pages');
        await context.close();
      }
    }
  });
});
